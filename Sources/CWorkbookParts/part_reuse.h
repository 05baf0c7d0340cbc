#ifndef RECON_PART_REUSE_H
#define RECON_PART_REUSE_H

// Between part_deflate.c, which takes minizip's part-opening function's place, and
// part_reuse.c, which holds a part back until it is closed (not part of the module's API).

#include <xlsxwriter/third_party/zip.h>

typedef int (*open_new_file_in_zip)(zipFile, const char *, const zip_fileinfo *, const void *, uInt, const void *,
                                    uInt, const char *, int, int, int, int, int, int, const char *, uLong, uLong,
                                    uLong, int);

/// `name`'s definition in `handle` (RTLD_NEXT: the one after this program's), looked up once
/// and kept in `cache`.
void *recon_found_once(_Atomic(void *) *cache, void *handle, const char *name);

/// Opens a part with the settings part_deflate.c chose: held back when this thread asked for
/// reuse, else through `library`, minizip's own definition.
int recon_part_open(zipFile file, const char *filename, const zip_fileinfo *zipfi, const void *extrafield_local,
                    uInt size_extrafield_local, const void *extrafield_global, uInt size_extrafield_global,
                    const char *comment, int method, int level, int raw, int windowBits, int memLevel, int strategy,
                    const char *password, uLong crcForCrypting, uLong versionMadeBy, uLong flagBase, int zip64,
                    open_new_file_in_zip library);

/// minizip's own definition of zipOpenNewFileInZip4_64, called with these very settings.
int recon_minizip_open(zipFile file, const char *filename, const zip_fileinfo *zipfi, const void *extrafield_local,
                       uInt size_extrafield_local, const void *extrafield_global, uInt size_extrafield_global,
                       const char *comment, int method, int level, int raw, int windowBits, int memLevel, int strategy,
                       const char *password, uLong crcForCrypting, uLong versionMadeBy, uLong flagBase, int zip64);

#endif
