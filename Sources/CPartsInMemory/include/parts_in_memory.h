#ifndef RECON_PARTS_IN_MEMORY_H
#define RECON_PARTS_IN_MEMORY_H

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

#endif
