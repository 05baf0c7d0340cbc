// libxlsxwriter zips every part of a workbook through minizip, asking for zlib's default
// level (6), a 32 KB window and 128 KB of hash chains (memLevel 8): most of a close's deflate
// time, for parts of a few kilobytes, went to setting up and clearing those tables. This
// definition of minizip's function takes the place of the library's (as lxw_tmpfile's does)
// and, when this thread asked for a level (recon_set_part_deflate_level), passes that level
// with a 4 KB window and memLevel 4 (some 24 KB of tables): 500 bare two-sheet workbooks
// took 0.18-0.26 s instead of 0.49-0.51 s at level 1 with the library's tables, their files
// under 1 % larger. Any inflater reads such streams (a window smaller than 32 KB is allowed).
#define _GNU_SOURCE
#include "workbook_parts.h"

#include "part_reuse.h"

#include <dlfcn.h>
#include <stdatomic.h>

/// -1: the level libxlsxwriter asks for.
static _Thread_local int part_level = -1;

void recon_set_part_deflate_level(int level) { part_level = (level >= 0 && level <= 9) ? level : -1; }

/// minizip's own definition, the next one after this program's.
static open_new_file_in_zip library_definition(void) {
    static _Atomic(void *) cache;
    return (open_new_file_in_zip)recon_found_once(&cache, RTLD_NEXT, "zipOpenNewFileInZip4_64");
}

int zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi, const void *extrafield_local,
                            uInt size_extrafield_local, const void *extrafield_global, uInt size_extrafield_global,
                            const char *comment, int method, int level, int raw, int windowBits, int memLevel,
                            int strategy, const char *password, uLong crcForCrypting, uLong versionMadeBy,
                            uLong flagBase, int zip64) {
    open_new_file_in_zip library = library_definition();
    if (!library) return ZIP_INTERNALERROR;
    if (part_level >= 0 && method == Z_DEFLATED && !raw) {
        level = part_level;
        windowBits = windowBits < 0 ? -12 : 12;
        memLevel = 4;
    }
    return recon_part_open(file, filename, zipfi, extrafield_local, size_extrafield_local, extrafield_global,
                           size_extrafield_global, comment, method, level, raw, windowBits, memLevel, strategy, password,
                           crcForCrypting, versionMadeBy, flagBase, zip64, library);
}

int recon_minizip_open(zipFile file, const char *filename, const zip_fileinfo *zipfi, const void *extrafield_local,
                       uInt size_extrafield_local, const void *extrafield_global, uInt size_extrafield_global,
                       const char *comment, int method, int level, int raw, int windowBits, int memLevel, int strategy,
                       const char *password, uLong crcForCrypting, uLong versionMadeBy, uLong flagBase, int zip64) {
    open_new_file_in_zip library = library_definition();
    if (!library) return ZIP_INTERNALERROR;
    return library(file, filename, zipfi, extrafield_local, size_extrafield_local, extrafield_global,
                   size_extrafield_global, comment, method, level, raw, windowBits, memLevel, strategy, password,
                   crcForCrypting, versionMadeBy, flagBase, zip64);
}

int recon_part_deflate_level_active(void) {
    return dlsym(RTLD_DEFAULT, "zipOpenNewFileInZip4_64") == (void *)zipOpenNewFileInZip4_64 && library_definition() != NULL;
}
