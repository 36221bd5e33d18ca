// libedit (BSD editline) for the REPL: the native histedit API, plus typed wrappers for its variadic
// el_set/el_get/history calls, which Swift cannot call directly.
#ifndef LITIGE_EDITLINE_SHIM_H
#define LITIGE_EDITLINE_SHIM_H

#include <histedit.h>
#include <stdio.h>

typedef const char *(*litige_prompt_function)(EditLine *);
typedef unsigned char (*litige_key_function)(EditLine *, int);
typedef int (*litige_getc_function)(EditLine *, wchar_t *);

static inline EditLine *litige_el_init(const char *program) {
  return el_init(program, stdin, stdout, stderr);
}
static inline void litige_el_set_prompt(EditLine *el, litige_prompt_function prompt) {
  el_set(el, EL_PROMPT, prompt);
}
static inline void litige_el_set_editor(EditLine *el, const char *editor) { el_set(el, EL_EDITOR, editor); }
static inline void litige_el_set_history(EditLine *el, History *list) {
  el_set(el, EL_HIST, history, list);
}
static inline void litige_el_add_function(EditLine *el, const char *name, const char *help,
                                          litige_key_function function) {
  el_set(el, EL_ADDFN, name, help, function);
}
static inline void litige_el_bind(EditLine *el, const char *key, const char *function) {
  el_set(el, EL_BIND, key, function, NULL);
}
static inline void litige_el_set_getc(EditLine *el, litige_getc_function function) {
  el_set(el, EL_GETCFN, function);
}
static inline int litige_el_source_default(EditLine *el) { return el_source(el, NULL); }

static inline History *litige_history_init(int size) {
  History *list = history_init();
  HistEvent event;
  history(list, &event, H_SETSIZE, size);
  history(list, &event, H_SETUNIQUE, 1);
  return list;
}
static inline void litige_history_enter(History *list, const char *line) {
  HistEvent event;
  history(list, &event, H_ENTER, line);
}
static inline int litige_history_load(History *list, const char *path) {
  HistEvent event;
  return history(list, &event, H_LOAD, path);
}
static inline int litige_history_save(History *list, const char *path) {
  HistEvent event;
  return history(list, &event, H_SAVE, path);
}
/// The line being edited: text, cursor offset and length (in bytes).
static inline const char *litige_el_line(EditLine *el, int *cursor, int *length) {
  const LineInfo *info = el_line(el);
  *cursor = (int)(info->cursor - info->buffer);
  *length = (int)(info->lastchar - info->buffer);
  return info->buffer;
}
/// Deletes everything on the line being edited.
static inline void litige_el_clear_line(EditLine *el) {
  const LineInfo *info = el_line(el);
  el_cursor(el, (int)(info->lastchar - info->cursor));
  el_deletestr(el, (int)(info->lastchar - info->buffer));
}

#endif
