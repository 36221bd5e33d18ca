"""Time from starting `litige repl` on a pseudo-terminal to its first prompt, ready for typing.

Usage: python3 bench/repl_startup.py LITIGE DATABASE [RUNS]
Prints the best and the median in milliseconds. "Ready" means the prompt is shown and the line
editor reads (the terminal is out of canonical mode), which is when a person can type.
"""
import os
import pty
import select
import statistics
import sys
import termios
import time


def once(litige, database):
    started = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:
        os.environ["LITIGE_HISTORY"] = os.devnull
        os.execv(litige, [litige, "repl", "--db", database])
    output = b""
    ready = None
    deadline = started + 10
    while time.perf_counter() < deadline:
        if b"> " in output and not termios.tcgetattr(master)[3] & termios.ICANON:
            ready = time.perf_counter()
            break
        readable, _, _ = select.select([master], [], [], 0.001)
        if readable:
            output += os.read(master, 4096)
    os.write(master, b"\x04")
    os.waitpid(pid, 0)
    os.close(master)
    if ready is None:
        raise SystemExit("litige repl showed no prompt within 10 s: %r" % output)
    return (ready - started) * 1000


def main():
    litige, database = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    times = sorted(once(litige, database) for _ in range(runs))
    print("best %.0f ms, median %.0f ms over %d runs" % (times[0], statistics.median(times), runs))


main()
