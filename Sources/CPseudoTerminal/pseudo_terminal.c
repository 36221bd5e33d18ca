#include "pseudo_terminal.h"

#include <pty.h>
#include <signal.h>
#include <unistd.h>

pid_t litige_spawn_on_pseudo_terminal(const char *path, char *const argv[], char *const envp[],
                                      const char *directory, unsigned short columns,
                                      unsigned short rows, int *master) {
  struct winsize size = {.ws_row = rows, .ws_col = columns, .ws_xpixel = 0, .ws_ypixel = 0};
  pid_t pid = forkpty(master, NULL, NULL, &size);
  if (pid == 0) {
    // Start the program as a shell would: default signal handling, nothing blocked.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    if (chdir(directory) != 0) _exit(126);
    execve(path, argv, envp);
    _exit(127);
  }
  return pid;
}
