#!/bin/sh
# Installs recon from this folder on a Debian or Ubuntu machine without apt access to a
# .deb: the same files the .deb installs, and the `recon` system user. Run as root:
#   sh install.sh            (installs under /)
# It never creates, changes or removes a site.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "install.sh: run as root (sudo sh install.sh)" >&2; exit 1; fi

# recon links Debian's libcsv3, libxlsxwriter4 and libminizip1 (the Swift runtime is inside the binary).
missing=""
for p in @DEPENDS_PACKAGES@; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "install.sh: these Debian packages are needed first:$missing" >&2
    echo "  apt install$missing   (or copy their .deb files and: apt install ./*.deb)" >&2
    exit 1
fi

previous=""
if [ -x /usr/bin/recon ]; then previous=upgrade; fi
install -D -m 0755 "$here/usr/bin/recon" /usr/bin/recon
install -D -m 0644 "$here/usr/share/man/man1/recon.1.gz" /usr/share/man/man1/recon.1.gz
install -D -m 0644 "$here/usr/share/bash-completion/completions/recon" /usr/share/bash-completion/completions/recon
install -D -m 0644 "$here/usr/share/zsh/vendor-completions/_recon" /usr/share/zsh/vendor-completions/_recon
install -D -m 0644 "$here/usr/share/fish/vendor_completions.d/recon.fish" /usr/share/fish/vendor_completions.d/recon.fish
install -D -m 0644 "$here/lib/systemd/system/recon-watch@.service" "/lib/systemd/system/recon-watch@.service"
install -D -m 0644 "$here/usr/share/doc/recon/README.md" /usr/share/doc/recon/README.md

# The same user and folder as the .deb's postinst (an upgrade also restarts running watchers).
sh "$here/postinst" configure "$previous"
echo "installed $(/usr/bin/recon --version)"
echo "next: sudo -u recon recon init --site /srv/recon/NAME --name NAME ...; systemctl enable --now recon-watch@NAME"
