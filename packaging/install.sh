#!/bin/sh
# Installs recon from this folder on a Debian or Ubuntu machine where the .deb cannot be
# used: the same files the .deb installs, and the `recon` system user. Run as root:
#   sh install.sh                       (installs under /)
#   DESTDIR=/some/folder sh install.sh  (only copies the files there: no user, no checks)
# It never creates, changes or removes a site.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${DESTDIR:-}
if [ -z "$dest" ] && [ "$(id -u)" != 0 ]; then echo "install.sh: run as root (sudo sh install.sh)" >&2; exit 1; fi

# recon links Debian's libcsv3, libxlsxwriter4 and libminizip1 (the Swift runtime is inside the binary).
missing=""
[ -n "$dest" ] || for p in @DEPENDS_PACKAGES@; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "install.sh: these Debian packages are needed first:$missing" >&2
    echo "  apt install$missing   (or copy their .deb files and: apt install ./*.deb)" >&2
    exit 1
fi

previous=""
if [ -x "$dest/usr/bin/recon" ]; then previous=upgrade; fi
install -D -m 0755 "$here/usr/bin/recon" "$dest/usr/bin/recon"
install -D -m 0644 "$here/usr/share/man/man1/recon.1.gz" "$dest/usr/share/man/man1/recon.1.gz"
install -D -m 0644 "$here/usr/share/bash-completion/completions/recon" "$dest/usr/share/bash-completion/completions/recon"
install -D -m 0644 "$here/usr/share/zsh/vendor-completions/_recon" "$dest/usr/share/zsh/vendor-completions/_recon"
install -D -m 0644 "$here/usr/share/fish/vendor_completions.d/recon.fish" "$dest/usr/share/fish/vendor_completions.d/recon.fish"
install -D -m 0644 "$here/lib/systemd/system/recon-watch@.service" "$dest/lib/systemd/system/recon-watch@.service"
install -D -m 0644 "$here/usr/share/doc/recon/README.md" "$dest/usr/share/doc/recon/README.md"

[ -z "$dest" ] || { echo "copied the files under $dest"; exit 0; }
# The same user and folder as the .deb's postinst (an upgrade also restarts running watchers).
sh "$here/postinst" configure "$previous"
echo "installed $(/usr/bin/recon --version)"
echo "next: sudo -u recon recon init --site /srv/recon/NAME --name NAME ...; systemctl enable --now recon-watch@NAME"
