#ifndef TUNNELSCOPE_CNCURSES_SHIM_H
#define TUNNELSCOPE_CNCURSES_SHIM_H
// SwiftPM drops pkg-config's -D flags, so the wide-character API must be asked for here.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <stdio.h>
#include <ncursesw/curses.h>

// Curses macros and globals do not import into Swift (or are errors in Swift 6 mode).
static inline WINDOW *ts_stdscr(void) { return stdscr; }
static inline WINDOW *ts_curscr(void) { return curscr; }
static inline int ts_lines(void) { return LINES; }
static inline int ts_cols(void) { return COLS; }
static inline int ts_color_pair(int n) { return COLOR_PAIR(n); }
static inline int ts_a_bold(void) { return A_BOLD; }
static inline int ts_a_reverse(void) { return A_REVERSE; }
static inline int ts_a_underline(void) { return A_UNDERLINE; }
static inline int ts_a_dim(void) { return A_DIM; }
static inline int ts_a_normal(void) { return A_NORMAL; }
static inline int ts_key_f(int n) { return KEY_F(n); }
static inline int ts_colors(void) { return COLORS; }
static inline int ts_color_pairs(void) { return COLOR_PAIRS; }

// The C standard streams are mutable globals, also errors in Swift 6 mode.
static inline FILE *ts_stdin(void) { return stdin; }
static inline FILE *ts_stdout(void) { return stdout; }

// Attributes as attr_t, the type setcchar takes.
static inline attr_t ts_attr_bold(void) { return A_BOLD; }
static inline attr_t ts_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t ts_attr_reverse(void) { return A_REVERSE; }
static inline attr_t ts_attr_normal(void) { return A_NORMAL; }

// Mouse masks (macros built from NCURSES_MOUSE_MASK).
static inline mmask_t ts_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t ts_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t ts_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t ts_button5_pressed(void) { return BUTTON5_PRESSED; }

// The size of a window (getmaxyx is a macro).
static inline int ts_max_y(WINDOW *w) { return getmaxy(w); }
static inline int ts_max_x(WINDOW *w) { return getmaxx(w); }

// Display width of a character in the current locale (wchar.h declares it only for _XOPEN_SOURCE,
// which the system module is not built with).
extern int wcwidth(wchar_t c);
static inline int ts_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

// How many wide characters a cchar_t can hold (spacing character plus combining ones).
static inline int ts_ccharw_max(void) { return CCHARW_MAX; }

#endif
