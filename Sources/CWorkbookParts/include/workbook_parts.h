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

/// Whether this thread's workbooks reuse the deflated bytes of parts met before (1) or not
/// (0), from now on (part_reuse.c). Set it around `workbook_close`; a part is matched with its
/// deflate settings, so each level reuses only what it deflated. Turning it on forgets what
/// the thread's last workbook had to teach, if it was not learned.
void recon_set_part_reuse(int on);

/// How many parts this thread met for the second time while reuse was on, whose deflated
/// form its finished workbook can teach (``recon_part_reuse_offer``).
size_t recon_part_reuse_pending(void);

/// Offers one deflated part of this thread's finished workbook, as its zip directory gives
/// it: learned if it is one of those pending (same name and size).
void recon_part_reuse_offer(const char *name, const unsigned char *deflated, size_t deflated_size, size_t size,
                            unsigned long crc, unsigned long internal_fa);

/// Keeps the parts offered for reuse by every thread, and forgets the pending list.
void recon_part_reuse_learned(void);

/// The size past which this thread hands a part to minizip as it comes instead of holding
/// it (0: 16 KB, the most a part learned may be): for the tests of that hand-over.
void recon_set_part_reuse_limit(size_t bytes);

/// How many parts this thread has written as deflated bytes it learned (for tests).
unsigned long recon_parts_reused_on_this_thread(void);

/// Whether the definitions of minizip's write and close in part_reuse.c are the ones
/// libxlsxwriter calls (1) or minizip's own (0).
int recon_part_reuse_active(void);

#endif
