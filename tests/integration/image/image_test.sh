#!/bin/sh
# SPDX-License-Identifier: MIT
# cella-image end to end, with tools made elsewhere as the judges: skopeo reads the OCI layout and copies it
# (checking every blob's digest), umoci unpacks it into a runtime bundle, and the bundle's own process (args, env,
# cwd from its config.json) runs helloworld in a chroot with only the image's files: host, enclave, monitor and
# the libraries found for them. The labels carry the MRENCLAVE and MRSIGNER cella-sign reports. The same inputs give
# the same digest; SOURCE_DATE_EPOCH moves it; a second tag joins the layout and a rebuilt tag replaces its entry.
# Refused, each named: unsigned, debug without --allow-debug, a bad signature, an enclave changed after signing,
# a directory that is no layout, a bad tag, --env, --add, options. Then `cella-image k8s`, parsed as YAML: EPC from
# the enclave's size, the webhook and no-webhook resources, quote providers, --software, a Service.
# Needs root (mount and chroot). Usage: image_test.sh CELLA_IMAGE CELLA_SIGN HOST ENCLAVE MONITOR WORK_DIR
set -u
image=$1 sign=$2 host=$3 enc_in=$4 monitor=$5 work=$6/image
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: running the unpacked image needs root (mount, chroot)"
	exit 77
fi
for t in umoci skopeo python3; do
	command -v $t >/dev/null 2>&1 || { echo "FAIL $t is missing (scripts/install-deps.sh installs it)"; exit 1; }
done
python3 -c 'import yaml' 2>/dev/null || { echo "FAIL python3-yaml is missing (scripts/install-deps.sh)"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
. "$(dirname "$0")/../../testlib/expect.sh"
unset SOURCE_DATE_EPOCH
cmd=$image
ok() { echo "PASS $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
# check "what" ARGS... <<EOF: the Python script on stdin, given ARGS; PASS when it exits 0, else FAIL with its end
check() {
	what=$1
	shift
	if python3 - "$@" >"$work/check.out" 2>&1; then ok "$what"; else bad "$what: $(tail -3 "$work/check.out")"; fi
}
# the same on the YAML in $work/out
y() {
	what=$1
	shift
	check "$what" "$work/out" "$@"
}

"$sign" genkey -o "$work/key.pem" >/dev/null || { echo "FAIL genkey"; exit 1; }
"$sign" sign --key "$work/key.pem" -o "$work/hello.signed" "$enc_in" >/dev/null || { echo "FAIL sign"; exit 1; }
printf 'Debug=0\n' >"$work/release.conf"
"$sign" sign --key "$work/key.pem" --config "$work/release.conf" -o "$work/release.signed" "$enc_in" >/dev/null ||
	{ echo "FAIL sign release"; exit 1; }
enc=$work/hello.signed
# what cella-sign says of the enclave: the reference for labels and manifests
"$sign" dump --json "$enc" >"$work/dump.json" || { echo "FAIL dump"; exit 1; }
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$work/dump.json"; }
mrenclave=$(field x "d['mrenclave']") mrsigner=$(field x "d['mrsigner']")
epc=$(field x "'%dMi' % ((int(d['layout']['enclave_size'], 16) + (1 << 20) - 1) >> 20)")

# refusals
b="--host $host --monitor $monitor"
expect 1 "an unsigned enclave" "$enc_in: the enclave is not signed (sign it with cella-sign first)" build $b \
	--enclave "$enc_in" -o "$work/x"
expect 1 "a debug enclave without --allow-debug" "hello.signed: a debug enclave" build $b --enclave "$enc" -o "$work/x"
# the SIGSTRUCT's signature (at +516) changed: the modulus (at +128) locates it in the file
python3 - "$enc" "$work/badsig.signed" "$work/dump.json" <<'EOF' || bad "could not corrupt the signature"
import json, sys
data = bytearray(open(sys.argv[1], 'rb').read())
mod = bytes.fromhex(json.load(open(sys.argv[3]))['sigstruct']['modulus'])
off = data.find(mod)
assert off > 128 and data.find(mod, off + 1) < 0
data[off - 128 + 516 + 7] ^= 1
open(sys.argv[2], 'wb').write(data)
EOF
expect 1 "a signature that does not verify" "badsig.signed: the enclave's signature does not verify" build $b \
	--enclave "$work/badsig.signed" -o "$work/x" --allow-debug
# a byte of .text changed after signing: the MRENCLAVE is no longer the signed one
python3 - "$enc" "$work/changed.signed" <<'EOF' || bad "could not change .text"
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
shoff, = struct.unpack_from('<Q', d, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
def sh(i):
    return struct.unpack_from('<IIQQQQIIQQ', d, shoff + i * shentsize)
strtab = sh(shstrndx)[4]
for i in range(shnum):
    s = sh(i)
    name = d[strtab + s[0]:d.index(b'\0', strtab + s[0])]
    if name == b'.text':
        d[s[4] + 64] ^= 0xff
        break
else:
    sys.exit(1)
open(sys.argv[2], 'wb').write(d)
EOF
expect 1 "an enclave changed after it was signed" "changed.signed: the enclave was changed after it was signed" \
	build $b --enclave "$work/changed.signed" -o "$work/x" --allow-debug
expect 1 "an enclave that does not exist" "$work/none: cannot read the enclave" build $b --enclave "$work/none" \
	-o "$work/x"
mkdir -p "$work/notlayout" && : >"$work/notlayout/file"
expect 1 "a directory that is no layout" "$work/notlayout exists and is not an OCI image layout" build $b \
	--enclave "$enc" --allow-debug -o "$work/notlayout"
expect 2 "a bad tag" "--tag -x: a tag is 1 to 128 of [A-Za-z0-9_.-]" build $b --enclave "$enc" -o "$work/x" --tag -x
expect 2 "a bad --env" "--env 1X=y: not NAME=VALUE" build $b --enclave "$enc" -o "$work/x" --env 1X=y
expect 2 "a missing --host" "--host, --enclave and -o are required" build --enclave "$enc" -o "$work/x"
expect 2 "an unknown option" "unknown option --frob" build $b --enclave "$enc" -o "$work/x" --frob 1
expect 2 "--port 0" "--port 0: not an integer from 1 to 65535" build $b --enclave "$enc" -o "$work/x" --port 0
expect 2 "an unknown command" "unknown command \"push\"" push
expect 1 "--add outside the image's tree" "/app/../etc/x: not a path for the image" build $b --enclave "$enc" \
	--allow-debug -o "$work/x" --add "$work/key.pem:/app/../etc/x"
expect 1 "--add of a directory" "$work is not a regular file" build $b --enclave "$enc" --allow-debug -o "$work/x" \
	--add "$work:/etc/x"
expect 1 "--add onto the enclave's path" "two files for /app/hello.signed in the image" build $b --enclave "$enc" \
	--allow-debug -o "$work/x" --add "$work/key.pem:/app/hello.signed"
[ ! -e "$work/x/index.json" ] && ok "refusals leave no index behind" || bad "an index was written by a refusal"

# the image
printf 'hello from --add\n' >"$work/note.txt"
expect 0 "build" "image $work/layout:v1" build $b --enclave "$enc" --allow-debug -o "$work/layout" --tag v1 \
	--arg first --env GREETING=hi --port 8443 --add "$work/note.txt:/etc/cella/note.txt"
digest1=$(sed -n 's/^manifest //p' "$work/out")
skopeo inspect --config "oci:$work/layout:v1" >"$work/config.json" 2>"$work/err" ||
	bad "skopeo inspect: $(cat "$work/err")"
check "config: entrypoint, args, env, port, labels" "$work/config.json" "$mrenclave" "$mrsigner" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))['config']
assert c['Entrypoint'] == ['/app/helloworld_host', '/app/hello.signed'], c['Entrypoint']
assert c['Cmd'] == ['first'], c.get('Cmd')
assert 'GREETING=hi' in c['Env'] and 'CELLA_MONITOR=/usr/libexec/cella/cella-monitor' in c['Env'], c['Env']
assert list(c['ExposedPorts']) == ['8443/tcp']
l = c['Labels']
assert l['dev.cella.mrenclave'] == sys.argv[2] and l['dev.cella.mrsigner'] == sys.argv[3], l
assert l['dev.cella.debug'] == 'true' and l['dev.cella.enclave'] == '/app/hello.signed', l
EOF
rm -f "$work/copy.tar"
skopeo copy "oci:$work/layout:v1" "oci-archive:$work/copy.tar" >/dev/null 2>"$work/err" &&
	ok "skopeo copies the image (each blob's digest checked)" || bad "skopeo copy: $(cat "$work/err")"

# the same inputs, the same digest; another date, another
expect 0 "build again" "manifest $digest1" build $b --enclave "$enc" --allow-debug -o "$work/layout2" --tag v1 \
	--arg first --env GREETING=hi --port 8443 --add "$work/note.txt:/etc/cella/note.txt"
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH
expect 0 "build dated" "image $work/layout2:dated" build $b --enclave "$enc" --allow-debug -o "$work/layout2" \
	--tag dated --arg first --env GREETING=hi --port 8443 --add "$work/note.txt:/etc/cella/note.txt"
unset SOURCE_DATE_EPOCH
grep -q "^manifest $digest1" "$work/out" && bad "SOURCE_DATE_EPOCH did not change the digest" ||
	ok "SOURCE_DATE_EPOCH changes the digest"
skopeo inspect "oci:$work/layout2:dated" 2>/dev/null | grep -q '"Created": "2023-11-14T22:13:20Z"' &&
	ok "SOURCE_DATE_EPOCH dates the image" || bad "the dated image's Created"
# a second tag in one layout, and a tag rebuilt in place
expect 0 "a second tag" "image $work/layout:release" build $b --enclave "$work/release.signed" -o "$work/layout" \
	--tag release
expect 0 "the first tag rebuilt" "image $work/layout:v1" build $b --enclave "$enc" --allow-debug -o "$work/layout" \
	--tag v1
check "index: one entry per tag" "$work/layout/index.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))['manifests']
tags = sorted(x['annotations']['org.opencontainers.image.ref.name'] for x in m)
assert tags == ['release', 'v1'], tags
EOF
skopeo inspect "oci:$work/layout:release" 2>/dev/null | grep -q '"dev.cella.debug": "false"' &&
	ok "the release tag carries the release enclave" || bad "the release tag's labels"

# unpacked by umoci: the files; then the rebuilt v1 run as its config.json says, in a chroot holding nothing but
# the image
rm -rf "$work/bundle" "$work/bundle2"
umoci unpack --image "$work/layout2:dated" "$work/bundle2" >/dev/null 2>"$work/err" ||
	bad "umoci unpack: $(cat "$work/err")"
(cd "$work/bundle2/rootfs" && find . -type f | sort) >"$work/files"
for f in ./app/helloworld_host ./app/hello.signed ./usr/libexec/cella/cella-monitor ./etc/cella/note.txt \
	./usr/lib/x86_64-linux-gnu/libc.so.6 ./usr/lib/x86_64-linux-gnu/libcella-host.so.0; do
	grep -qx "$f" "$work/files" && ok "the image holds $f" || bad "the image lacks $f"
done
cmp -s "$work/bundle2/rootfs/app/hello.signed" "$enc" && ok "the enclave in the image is the signed file" ||
	bad "the enclave in the image differs from the signed file"
umoci unpack --image "$work/layout:v1" "$work/bundle" >/dev/null 2>"$work/err" ||
	bad "umoci unpack: $(cat "$work/err")"
root=$work/bundle/rootfs
check "the bundle's process: the image's entrypoint, in /app" "$work/bundle/config.json" "$work/run.sh" <<'EOF2'
import json, shlex, sys
p = json.load(open(sys.argv[1]))['process']
assert p['args'] == ['/app/helloworld_host', '/app/hello.signed'] and p['cwd'] == '/app', p
q = lambda xs: ' '.join(shlex.quote(x) for x in xs)
open(sys.argv[2], 'w').write('exec env -i %s /usr/sbin/chroot "$1" %s\n' % (q(p['env']), q(p['args'])))
EOF2
mkdir -p "$root/proc"
unshare --mount --pid --fork sh -c "mount -t proc proc '$root/proc' && sh '$work/run.sh' '$root'" >"$work/run.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^host: Hello, world, from inside the enclave (greeting #1)" "$work/run.out" &&
	grep -q "^enclave: my stdout reaches the host too" "$work/run.out"; then
	ok "the unpacked image runs helloworld on the sandbox backend"
else
	bad "running the unpacked image: exit $rc: $(cat "$work/run.out")"
fi

# Kubernetes
expect 0 "k8s" "kind: Deployment" k8s --image registry.example/team/hello:v1 --enclave "$enc" --allow-debug --port 8443
y "k8s: EPC from the enclave, the webhook adds the rest, a Service" "$epc" "$mrenclave" <<'EOF'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
dep, svc = docs
assert dep['kind'] == 'Deployment' and dep['metadata']['name'] == 'hello' and svc['kind'] == 'Service'
t = dep['spec']['template']
assert dep['spec']['selector']['matchLabels'] == t['metadata']['labels'] == {'app.kubernetes.io/name': 'hello'}
assert t['metadata']['annotations']['cella.dev/mrenclave'] == sys.argv[3]
c, = t['spec']['containers']
assert c['image'] == 'registry.example/team/hello:v1' and c['ports'] == [{'containerPort': 8443, 'protocol': 'TCP'}]
assert c['resources'] == {'limits': {'sgx.intel.com/epc': sys.argv[2]}, 'requests': {'sgx.intel.com/epc': sys.argv[2]}}
assert svc['spec']['ports'] == [{'port': 8443, 'targetPort': 8443, 'protocol': 'TCP'}]
EOF
expect 0 "k8s --no-webhook --quote-provider inproc" "kind: Deployment" k8s --image hello:v1 --enclave "$enc" \
	--allow-debug --no-webhook --quote-provider inproc --name web
y "k8s: without the webhook, enclave and provision asked for" "$epc" <<'EOF'
import sys, yaml
dep, = yaml.safe_load_all(open(sys.argv[1]))
c, = dep['spec']['template']['spec']['containers']
want = {'sgx.intel.com/epc': sys.argv[2], 'sgx.intel.com/enclave': 1, 'sgx.intel.com/provision': 1}
assert c['name'] == 'web' and c['resources'] == {'limits': want, 'requests': want}, c
assert 'sgx.intel.com/quote-provider' not in dep['spec']['template']['metadata']['annotations']
EOF
expect 0 "k8s --quote-provider aesmd" "kind: Deployment" k8s --image hello:v1 --enclave "$enc" --allow-debug \
	--quote-provider aesmd
y "k8s: aesmd through the webhook is one annotation" <<'EOF'
import sys, yaml
dep, = yaml.safe_load_all(open(sys.argv[1]))
assert dep['spec']['template']['metadata']['annotations']['sgx.intel.com/quote-provider'] == 'aesmd'
EOF
expect 0 "k8s --quote-provider aesmd --no-webhook" "kind: Deployment" k8s --image hello:v1 --enclave "$enc" \
	--allow-debug --quote-provider aesmd --no-webhook
y "k8s: aesmd without the webhook mounts its socket" <<'EOF'
import sys, yaml
dep, = yaml.safe_load_all(open(sys.argv[1]))
s = dep['spec']['template']['spec']
c, = s['containers']
assert c['env'] == [{'name': 'SGX_AESM_ADDR', 'value': '1'}]
assert c['volumeMounts'] == [{'name': 'aesmd', 'mountPath': '/var/run/aesmd'}]
assert s['volumes'] == [{'name': 'aesmd', 'hostPath': {'path': '/var/run/aesmd', 'type': 'DirectoryOrCreate'}}]
assert 'sgx.intel.com/provision' not in c['resources']['limits']
EOF
expect 0 "k8s --software" "kind: Deployment" k8s --image hello:v1 --enclave "$work/release.signed" --software \
	--replicas 3
y "k8s: --software asks for no SGX resource" <<'EOF'
import sys, yaml
dep, = yaml.safe_load_all(open(sys.argv[1]))
c, = dep['spec']['template']['spec']['containers']
assert dep['spec']['replicas'] == 3 and 'resources' not in c
assert dep['spec']['template']['metadata']['annotations']['cella.dev/backend'] == 'sandbox'
EOF
expect 1 "k8s: a debug enclave without --allow-debug" "a debug enclave" k8s --image hello:v1 --enclave "$enc"
expect 2 "k8s: a name that is no DNS label" "--name Web: a Kubernetes name is 1 to 63 of [a-z0-9-]" k8s \
	--image hello:v1 --enclave "$enc" --name Web
expect 2 "k8s: an image name that is no DNS label" "the image's name is not a Kubernetes name" k8s \
	--image reg/Hello:v1 --enclave "$enc"
expect 2 "k8s: an unknown quote provider" "--quote-provider qe: aesmd" k8s --image hello:v1 --enclave "$enc" \
	--quote-provider qe
expect 2 "k8s: --software with --no-webhook" "--software asks for no SGX resources" k8s --image hello:v1 \
	--enclave "$enc" --software --no-webhook
expect 2 "k8s: an image reference with a quote" "--image a\"b: not an image reference" k8s --image 'a"b' \
	--enclave "$enc"
expect 2 "k8s: no --enclave" "--image and --enclave are required" k8s --image hello:v1
[ $fails -eq 0 ]
