#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a test program with address-space randomisation off (personality ADDR_NO_RANDOMIZE, as gdb does).
# Exit 77 (skip) only where this machine refuses that personality.
if ! setarch "$(uname -m)" -R true 2>/dev/null; then
	echo "SKIP: setarch -R is refused here (no ADDR_NO_RANDOMIZE)"
	exit 77
fi
exec setarch "$(uname -m)" -R "$@"
