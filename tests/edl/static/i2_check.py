#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Security checklist I2, a static test over generated code: in every trusted bridge that cella-edger8r emits,
host-provided bytes are read only after their range checks and after a speculation barrier (lfence) that follows
those checks, and nothing is handed to the enclave's code before the last barrier.

  i2_check.py [--search-path=DIR...] EDGER8R OUTDIR EDL...
                                         generate each EDL's trusted side, check it, then run the self-test
                                         (mutated copies of the generated code must be refused)
  i2_check.py --check FILE_t.c...        check files only

Two kinds of function are checked, both from the shapes tools/edger8r/gen.c emits (one statement a line):

ecall bridge (cella_edl_ecall_<f>): the input buffer is the runtime's private copy of what the host wrote, so
every byte of it is host-chosen. A "read" is any use of cella_in/cella_inw; a "check" is an `if` that leaves
through cella_done and tests a length, offset, pointer or string (not a helper's cella_r). Rules:
  - the header read follows the `cella_in_bytes < sizeof(cella_h)` check; a payload read before the last
    barrier (the string and deep-copy validations) follows the cella_edl_fits() check of that same parameter at
    the same position; no other read of the input happens before the last barrier;
  - between any check and the next read of the input there is an lfence;
  - the last barrier comes after every check and before every use (a pointer into the input or the reply given
    to the user function, the copy of [in, out] data, deep-copy pointer fix-up, the user call itself);
  - every [user_check] pointer passes the outside-the-enclave and inside-the-window check before that barrier.

ocall caller (trusted, after cella_ocall()): the reply buffer holds what the host wrote. Rules:
  - the reply length check (cella_w != cella_outpos) precedes every read of the reply, with an lfence between;
  - a returned pointer is checked to lie outside the enclave, and every use (writing *cella_retval, errno, the
    caller's [out] buffers) comes after an lfence that follows the last check of the reply.
Exit status 0 when every function passes (and the self-test refuses every mutant), 1 otherwise.
"""
import os
import re
import subprocess
import sys

FENCE = "__builtin_ia32_lfence();"
RANGE_WORDS = ("cella_in_bytes", "cella_out_bytes", "cella_edl_fits", "cella_pos", "cella_outpos",
               "cella_is_outside_enclave", "cella_is_within_window", "cella_is_within_enclave", "cella_edl_str_ok",
               "cella_edl_wstr_ok", "cella_edl_reserve", "cella_len_", "cella_off_", "cella_len[")
READ_RE = re.compile(r"\bcella_inw?\b")
READ_OK_DECL = ("uint8_t *cella_inw = (uint8_t *)(uintptr_t)cella_in;", "(void)cella_inw;", "(void)cella_in;")


def statements(lines):
    """Comments dropped, and a statement continued over several lines joined into one."""
    out = []
    for l in lines:
        l = re.sub(r"\s*/\*.*?\*/", "", l)
        if out and out[-1].count("(") > out[-1].count(")"):
            out[-1] += " " + l.strip()
        else:
            out.append(l)
    return out


def functions(text):
    """(kind, name, body lines) for each ecall bridge and ocall caller in a generated _t.c."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r"static cella_result cella_edl_ecall_(\w+)\(", lines[i])
        k = re.match(r"cella_result (\w+)\(", lines[i])
        if m or k:
            start = i
            while lines[i] != "{":
                i += 1
            j = i + 1
            while lines[j] != "}":
                j += 1
            sig = " ".join(lines[start:i])
            out.append(("ecall" if m else "ocall", (m or k).group(1), sig, statements(lines[i + 1:j])))
            i = j
        i += 1
    return out


def is_check(body, i):
    """True iff line i is an `if` whose body leaves through cella_done."""
    s = body[i].strip()
    if not s.startswith("if ("):
        return False
    nxt = [x.strip() for x in body[i + 1:i + 4]]
    if s.endswith("{"):
        return (len(nxt) > 0 and nxt[0] == "goto cella_done;") or \
               (len(nxt) > 1 and nxt[0].startswith("cella_r = ") and nxt[1] == "goto cella_done;")
    return len(nxt) > 0 and nxt[0] == "goto cella_done;"


def check_ecall(name, body):
    errs = []
    checks = [i for i in range(len(body)) if is_check(body, i) and any(w in body[i] for w in RANGE_WORDS)]
    fences = [i for i in range(len(body)) if FENCE in body[i]]
    call_re = re.compile(r"^\s*(cella_ret = )?%s\(" % re.escape(name))
    uses = []
    for i, l in enumerate(body):
        s = l.strip()
        if call_re.match(l) or s.startswith("memcpy(cella_out") or "cella_edl_deep_fix(" in s or \
                "cella_edl_scrub" in s or s.startswith("*cella_written"):
            uses.append(i)
        elif re.match(r"cella_p\[\d+\] = ", s) and "cella_h.cella_addr_" not in s:
            uses.append(i)
        elif s.startswith("cella_r = cella_edl_deep_in(") and not s.endswith(", 0, 0);"):
            uses.append(i)
    if not any(call_re.match(l) for l in body):
        return ["%s: the user function is never called (unrecognised bridge shape)" % name]
    first_use = min(uses)
    before = [f for f in fences if f < first_use]
    if not before:
        return ["%s: no lfence before the first use (line %d of the bridge: %s)" % (name, first_use,
                                                                                     body[first_use].strip())]
    last = max(before)
    for c in checks:
        if c > last:
            errs.append("%s: check after the last barrier: %s" % (name, body[c].strip()))
    # reads of the host-provided input
    for i, l in enumerate(body):
        s = l.strip()
        if not READ_RE.search(l) or s in READ_OK_DECL:
            continue
        prev = [c for c in checks if c < i]
        if not prev:
            errs.append("%s: input read before any check: %s" % (name, s))
            continue
        if not any(prev[-1] < f < i for f in fences):
            errs.append("%s: no lfence between the check `%s` and the read `%s`" % (name, body[prev[-1]].strip(), s))
        if i > last:
            m = re.search(r"cella_inw? \+ cella_at\[(\d+)\]", s)
            if not m:
                errs.append("%s: unrecognised read of the input after the barrier: %s" % (name, s))
                continue
            k = m.group(1)
            fit = "cella_edl_fits(cella_pos, cella_len[%s], cella_in_bytes)" % k
            if not any(fit in body[c] for c in checks if c < last):
                errs.append("%s: input region %s read without its range check: %s" % (name, k, s))
            continue
        if s == "memcpy(&cella_h, cella_in, sizeof(cella_h));":
            if not any("cella_in_bytes < sizeof(cella_h)" in body[c] for c in prev):
                errs.append("%s: header read without the header length check" % name)
            continue
        m = re.search(r"cella_inw? \+ cella_pos, (?:cella_in_bytes - cella_pos|cella_len\[(\d+)\])", s)
        vm = re.match(r"(if \(!cella_edl_w?str_ok\(|cella_r = cella_edl_deep_in\()", s)
        if not m or not vm or (s.startswith("cella_r = cella_edl_deep_in(") and not s.endswith(", 0, 0);")):
            errs.append("%s: read of the input before the barrier that is not a validation: %s" % (name, s))
            continue
        # the cella_edl_fits() check of this position, with no cella_pos move in between
        ok = False
        for c in reversed(prev):
            if "cella_edl_fits(cella_pos, cella_len[" in body[c] and "cella_in_bytes)" in body[c]:
                k = re.search(r"cella_edl_fits\(cella_pos, cella_len\[(\d+)\]", body[c]).group(1)
                ok = (m.group(1) in (None, k)) and not any("cella_edl_reserve(&cella_pos" in body[x]
                                                           for x in range(c + 1, i))
                break
        if not ok:
            errs.append("%s: payload validated without its own range check: %s" % (name, s))
    # [user_check]: the window check before the barrier
    for i, l in enumerate(body):
        m = re.match(r"\s*cella_p\[(\d+)\] = \(void \*\)\(uintptr_t\)cella_h\.cella_addr_", l)
        if m:
            k = m.group(1)
            if not any("cella_is_outside_enclave(cella_p[%s]" % k in body[c] and
                       "cella_is_within_window(cella_p[%s]" % k in body[c] for c in checks
                       if i < c < last):
                errs.append("%s: [user_check] pointer %s not checked against the enclave and the window before "
                            "the barrier" % (name, k))
    return errs


def check_ocall(name, sig, body):
    errs = []
    try:
        o = next(i for i, l in enumerate(body) if l.strip().startswith("cella_r = cella_ocall("))
    except StopIteration:
        return ["%s: no cella_ocall() (unrecognised caller shape)" % name]
    checks = [i for i in range(o + 1, len(body)) if is_check(body, i) and
              any(w in body[i] for w in ("cella_w", "cella_outpos", "cella_o.", "cella_is_outside_enclave"))]
    fences = [i for i in range(o + 1, len(body)) if FENCE in body[i]]
    wcheck = [c for c in checks if "cella_w != cella_outpos" in body[c]]
    if not wcheck:
        errs.append("%s: no reply length check after cella_ocall()" % name)
        return errs
    if "**cella_retval" in sig and not any("cella_is_outside_enclave((const void *)cella_o.cella_retval" in body[c]
                                           for c in checks):
        errs.append("%s: a returned pointer is not checked to lie outside the enclave" % name)
    for i in range(o + 1, len(body)):
        s = body[i].strip()
        if s == "cella_done:":
            break
        read = "cella_ob" in s
        use = s.startswith("*cella_retval") or s.startswith("errno =") or \
            (s.startswith("memcpy(") and not s.startswith("memcpy(&cella_o,")) or "cella_edl_deep_back(" in s
        if not (read or use) or is_check(body, i):
            continue
        prev = [c for c in checks if c < i]
        if read and not any(c < i for c in wcheck):
            errs.append("%s: reply read before the reply length check: %s" % (name, s))
            continue
        if not prev or not any(prev[-1] < f < i for f in fences):
            errs.append("%s: no lfence between the check `%s` and `%s`" % (name, body[prev[-1]].strip() if prev
                                                                            else "(none)", s))
    return errs


def check_text(text, label):
    errs = []
    n = {"ecall": 0, "ocall": 0}
    for kind, name, sig, body in functions(text):
        n[kind] += 1
        errs += ["%s: %s" % (label, e) for e in (check_ecall(name, body) if kind == "ecall" else
                                                 check_ocall(name, sig, body))]
    return errs, n


def mutants(text):
    """(description, mutated text) pairs: each breaks I2 the way a generator bug would."""
    out = []
    lines = text.split("\n")

    def drop(pred, what):
        for i, l in enumerate(lines):
            if pred(i, l):
                out.append((what, "\n".join(lines[:i] + lines[i + 1:])))
                return
        out.append((what + " (no place to try it: the corpus lacks the shape)", None))

    def final_fence(i, l):
        return FENCE in l and "no speculation past the checks above" in l

    drop(final_fence, "drop the barrier after the checks of an ecall bridge")
    drop(lambda i, l: FENCE in l and "past the check above" in l and "sizeof(cella_h)" in lines[i - 2],
         "drop the barrier between the header length check and the header read")
    drop(lambda i, l: FENCE in l and "cella_edl_str_ok" in lines[i + 1], "drop the barrier before a string check")
    drop(lambda i, l: FENCE in l and "cella_edl_deep_in(" in lines[i + 2],
         "drop the barrier before a deep-copy validation")
    drop(lambda i, l: FENCE in l and "the reply is read" in l, "drop the barrier after the ocall reply length check")
    drop(lambda i, l: FENCE in l and "the pointer reaches the caller" in l,
         "drop the barrier after the returned-pointer check")
    for i, l in enumerate(lines):
        m = re.search(r"!cella_is_within_window\(cella_p\[\d+\], cella_len\[\d+\]\)", l)
        if m:
            out.append(("drop the window check of a [user_check] pointer",
                        "\n".join(lines[:i] + [l.replace(m.group(0), "false")] + lines[i + 1:])))
            break
    # the barrier emitted after the user call instead of before the uses
    for i, l in enumerate(lines):
        if final_fence(i, l):
            j = i
            while not re.match(r"\t(cella_ret = )?[a-z]\w*\(", lines[j]) or "cella_" in lines[j].split("(")[0][6:]:
                j += 1
            m = lines[:i] + lines[i + 1:j + 1] + [l] + lines[j + 1:]
            out.append(("barrier moved after the user call", "\n".join(m)))
            break
    # a payload read before its range check: the string check moved above the fits check
    for i, l in enumerate(lines):
        if "cella_edl_str_ok(cella_in + cella_pos" in l:
            c = i - 3 if FENCE in lines[i - 1] else i - 2
            m = lines[:c] + lines[i:i + 4] + lines[c:i] + lines[i + 4:]
            out.append(("string read before its range check", "\n".join(m)))
            break
    # a raw read of the input before the checks (for instance a copy of [in, out] data done too early)
    for i, l in enumerate(lines):
        if l.strip() == "memcpy(&cella_h, cella_in, sizeof(cella_h));":
            m = lines[:i + 1] + ["\tmemcpy(cella_out, cella_in + cella_pos, 16);"] + lines[i + 1:]
            out.append(("input copied to the reply before the checks", "\n".join(m)))
            break
    # the reply's header read before its length check
    for i, l in enumerate(lines):
        if "if (cella_w != cella_outpos)" in l:
            j = next(k for k in range(i, len(lines)) if lines[k].strip().startswith("memcpy(&cella_o, cella_ob"))
            m = lines[:i] + [lines[j]] + lines[i:j] + lines[j + 1:]
            out.append(("ocall reply read before its length check", "\n".join(m)))
            break
    return out


def self_test(text):
    ok = True
    muts = mutants(text)
    for what, t in muts:
        errs, _ = check_text(t, "mutant") if t is not None else ([], None)
        print("self-test: %-60s %s" % (what, "refused (%s)" % errs[0].split(": ", 2)[-1][:70] if errs
                                       else "NOT REFUSED"))
        ok &= bool(errs)
    return ok and len(muts) >= 10


def main(argv):
    if len(argv) >= 2 and argv[1] == "--check":
        bad = 0
        for f in argv[2:]:
            errs, n = check_text(open(f).read(), f)
            for e in errs:
                print("FAIL " + e)
            bad += len(errs)
        print("i2 check: %s" % ("FAIL" if bad else "PASS"))
        return 1 if bad else 0
    if len(argv) < 4:
        print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
        return 2
    search = [a for a in argv[1:] if a.startswith("--search-path=")]
    argv = [a for a in argv if not a.startswith("--search-path=")]
    edger8r, outdir, edls = argv[1], argv[2], argv[3:]
    os.makedirs(outdir, exist_ok=True)
    bad, total, texts = 0, {"ecall": 0, "ocall": 0}, []
    for edl in edls:
        stem = os.path.splitext(os.path.basename(edl))[0]
        flags = []
        with open(edl) as f:
            for l in f.read().split("\n")[:5]:
                if l.startswith("// FLAGS:"):
                    flags = l[len("// FLAGS:"):].split()
        d = os.path.join(outdir, stem)
        os.makedirs(d, exist_ok=True)
        r = subprocess.run([edger8r, "--trusted", "--trusted-dir", d] + search + flags + [edl], capture_output=True,
                           text=True)
        if r.returncode != 0:
            print("FAIL %s: cella-edger8r exit %d: %s" % (edl, r.returncode, r.stderr.strip()))
            bad += 1
            continue
        path = os.path.join(d, stem + "_t.c")
        text = open(path).read()
        texts.append(text)
        errs, n = check_text(text, path)
        for e in errs:
            print("FAIL " + e)
        bad += len(errs)
        print("%s: %d ecall bridges, %d ocall callers, %d findings" % (stem, n["ecall"], n["ocall"], len(errs)))
        for k in n:
            total[k] += n[k]
    # the corpus must still cover what the rules are about, or the test would pass vacuously
    alltext = "\n".join(texts)
    need = {"[in] copies": "cella_p[0] = cella_inw + cella_at[", "[out] buffers": "= cella_out + cella_oat[",
            "[in, out] copies": "memcpy(cella_out + cella_oat[", "strings": "cella_edl_str_ok(cella_in",
            "wide strings": "cella_edl_wstr_ok(cella_in", "deep copy": "cella_edl_deep_in(",
            "[user_check]": "cella_h.cella_addr_", "size= and count=": "cella_edl_mul(",
            "returned pointers": "cella_o.cella_retval != NULL", "ocall [out] data": "cella_ob + cella_oat["}
    for what, pat in need.items():
        if pat not in alltext:
            print("FAIL corpus: no %s (%s)" % (what, pat))
            bad += 1
    if total["ecall"] < 20 or total["ocall"] < 5:
        print("FAIL corpus: only %d ecall bridges and %d ocall callers" % (total["ecall"], total["ocall"]))
        bad += 1
    richest = max(texts, key=lambda t: sum(p in t for p in need.values())) if texts else ""
    if not self_test(richest):
        print("FAIL self-test: a mutant that breaks I2 was not refused")
        bad += 1
    print("i2 static test: %d ecall bridges, %d ocall callers: %s" % (total["ecall"], total["ocall"],
                                                                     "FAIL" if bad else "PASS"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
