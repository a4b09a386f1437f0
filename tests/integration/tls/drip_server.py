# SPDX-License-Identifier: MIT
# A TLS peer that never finishes its ServerHello: it reads the ClientHello, sends a record header announcing
# 16 KiB of handshake data, then one byte every INTERVAL seconds, COUNT bytes in all (0: it falls silent at once).
# A client whose timeout is per read never reaches its limit while the drip lasts. LOG_FILE says when the client
# left; a client that never connects or stays connected without a word is given up after 30 s.
# Usage: drip_server.py PORT_FILE LOG_FILE INTERVAL COUNT
import os
import select
import socket
import sys

port_file, log_file, interval, count = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
listener.settimeout(30)
with open(port_file + ".tmp", "w") as f:
    f.write(str(listener.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)  # the reader never sees a partial port number
conn, _ = listener.accept()
conn.settimeout(30)
conn.recv(65536)
# a handshake record (22), TLS 1.2, of 16384 bytes, opening a ServerHello (2) of 16380
conn.sendall(bytes([22, 3, 3, 0x40, 0x00, 2, 0x00, 0x3F, 0xFC]))
sent = 0
result = None
try:
    while result is None:
        readable, _, _ = select.select([conn], [], [], interval if sent < count else 30)
        if readable:
            if not conn.recv(65536):  # anything but the end (an alert) is read and ignored
                result = "the client left after %d of %d bytes" % (sent, count)
        elif sent < count:
            conn.sendall(b"\x00")
            sent += 1
        else:
            result = "the client stayed connected after all %d bytes" % count
except OSError:
    result = "the client left after %d of %d bytes" % (sent, count)
with open(log_file, "w") as f:
    f.write(result + "\n")
