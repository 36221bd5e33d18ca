// Starts a program on a new pseudo-terminal, as its controlling terminal: what the REPL's tests need to
// type at it like a person (Ctrl-C must reach it as SIGINT through the terminal's line discipline).
#ifndef LITIGE_PSEUDO_TERMINAL_H
#define LITIGE_PSEUDO_TERMINAL_H

#include <sys/types.h>

/// Forks, makes a new pseudo-terminal of `columns` x `rows` the child's controlling terminal and its
/// standard input and outputs, changes to `directory` and executes `path` with `argv` and `envp`.
/// Returns the child's pid and stores the terminal's master side in `*master`; -1 on failure.
/// Everything the child does between fork and exec is async-signal-safe.
pid_t litige_spawn_on_pseudo_terminal(const char *path, char *const argv[], char *const envp[],
                                      const char *directory, unsigned short columns,
                                      unsigned short rows, int *master);

#endif
