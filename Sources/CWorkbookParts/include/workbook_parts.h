#ifndef RECON_WORKBOOK_PARTS_H
#define RECON_WORKBOOK_PARTS_H

// How libxlsxwriter makes the parts of a workbook: in memory (parts_in_memory.c), deflated
// at the level asked (part_deflate.c).

#include <stdio.h>

/// The folder name that has libxlsxwriter make a workbook's parts in memory: given as its
/// `tmpdir`, each part is a stream over growing memory instead of a temporary file. It names
/// no folder that can exist (a path under /dev/null): where the definition below is not the
/// one libxlsxwriter calls, libxlsxwriter's own temporary files fall back to `$TMP`, `$TEMP`
/// or `/tmp`, as they do for any folder they cannot use.
const char *recon_parts_in_memory_folder(void);

/// libxlsxwriter's own function, defined again here: the program's definition takes the
/// place of the library's (ELF symbol interposition), so every part libxlsxwriter asks for
/// comes from here. For any other `tmpdir` it makes the temporary file the library makes.
FILE *lxw_tmpfile(char *tmpdir);

/// Whether the definition above is the one libxlsxwriter calls (1) or the library's own (0).
int recon_parts_in_memory_active(void);

/// How many parts have been made in memory by this process.
unsigned long recon_parts_made_in_memory(void);

/// How many writes into a part in memory this thread could not make (the machine out of
/// memory): a workbook whose count rose while it was assembled holds a part cut short.
unsigned long recon_part_writes_failed(void);

/// Makes this thread's next write into a part in memory fail, as when memory runs out: for
/// the tests of what a workbook does then.
void recon_fail_next_part_write(void);

/// The zlib level this thread's workbooks deflate their parts at from now on, 0–9 (with a
/// 4 KB window and memLevel 4), or -1 for libxlsxwriter's own (zlib's defaults).
/// libxlsxwriter asks minizip's `zipOpenNewFileInZip4_64` for zlib's defaults for every
/// part; the definition in part_deflate.c takes that function's place as `lxw_tmpfile`'s
/// does and passes these instead. Set it around `workbook_close`, on the thread that calls it.
void recon_set_part_deflate_level(int level);

/// Whether that definition is the one libxlsxwriter calls (1) or minizip's own (0).
int recon_part_deflate_level_active(void);

#endif
