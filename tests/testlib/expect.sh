# SPDX-License-Identifier: MIT
# Sourced by the command-line tests. `expect RC "what" "text" ARGS...` runs "$cmd" ARGS with its output in
# "$work/out", prints PASS when it exits RC and the output holds the text (fixed string; text of several lines
# as those lines one after the other), else FAIL with both, and counts failures in $fails. The caller sets cmd and
# work, and ends with [ $fails -eq 0 ].
fails=0
expect() {
	want_rc=$1 what=$2 want=$3
	shift 3
	"$cmd" "$@" >"$work/out" 2>&1
	rc=$?
	# lines joined by \001 (in no output): grep -F would take each line of the text for a pattern of its own
	if [ $rc -eq "$want_rc" ] && tr '\n' '\001' <"$work/out" | grep -qF -- "$(printf '%s' "$want" | tr '\n' '\001')"; then
		echo "PASS $what"
	else
		echo "FAIL $what: exit $rc, expected $want_rc with \"$want\": $(cat "$work/out")"
		fails=$((fails + 1))
	fi
}

# flip_byte FILE OFFSET: the byte at OFFSET with its low bit flipped, in place. Writing a fixed value instead would
# leave the file as it was whenever the byte already held that value (one run in 256 for random bytes).
flip_byte() {
	fb_byte=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
	[ -n "$fb_byte" ] || { echo "flip_byte: $1 has no byte $2" >&2; return 1; }
	printf "\\$(printf '%03o' $((fb_byte ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
