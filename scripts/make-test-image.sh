#!/usr/bin/env bash
# Builds the small busybox image used by the demo and the tests, as an OCI image-layout tarball.
#   scripts/make-test-image.sh OUT.tar
# Deterministic: fixed mtimes, sorted entries, numeric owners, gzip without name or time, so the same
# busybox binary always gives the same digests. Tagged docker.io/library/busybox:latest.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT.tar" >&2
  exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)

busybox=/bin/busybox
if [ ! -x "$busybox" ]; then
  "$here/install-deps.sh"
fi
if [ ! -x "$busybox" ]; then
  echo "make-test-image: '$busybox' not found (install busybox-static)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
layout=$work/layout
mkdir -p "$root" "$layout/blobs/sha256"

# Root filesystem: busybox, one symlink per applet, the few files a shell and 'id' expect.
mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/tmp" "$root/dev" "$root/proc" "$root/sys" \
  "$root/var" "$root/home"
cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
# One perl process (perl-base is Essential in Debian) instead of ~400 ln forks.
"$busybox" --list | (cd "$root/bin" && perl -ne 'chomp; next if $_ eq "busybox" || -e $_;
  symlink("busybox", $_) or die "symlink $_: $!\n"')
[ -L "$root/bin/sh" ] || ln -s busybox "$root/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
chmod 0644 "$root/etc/passwd" "$root/etc/group"
chmod 0755 "$root" "$root/bin" "$root/etc" "$root/dev" "$root/proc" "$root/sys" "$root/var" \
  "$root/home"
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"

# tar options that make the output a function of the content only.
det_tar() {
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime "$@"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

det_tar -C "$root" -cf "$work/layer.tar" bin dev etc home proc root sys tmp var
diff_id=$(sha "$work/layer.tar")
gzip -n -9 -c "$work/layer.tar" > "$work/layer.tar.gz"
layer_digest=$(sha "$work/layer.tar.gz")
layer_size=$(size "$work/layer.tar.gz")
mv "$work/layer.tar.gz" "$layout/blobs/sha256/$layer_digest"

path_env='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
printf '%s' '{"architecture":"amd64","config":{"Cmd":["sh"],"Env":["'"$path_env"'"]},'\
'"created":"1970-01-01T00:00:00Z","history":[{"created":"1970-01-01T00:00:00Z",'\
'"created_by":"scripts/make-test-image.sh"}],"os":"linux",'\
'"rootfs":{"diff_ids":["sha256:'"$diff_id"'"],"type":"layers"}}' > "$work/config.json"
config_digest=$(sha "$work/config.json")
config_size=$(size "$work/config.json")
mv "$work/config.json" "$layout/blobs/sha256/$config_digest"

printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'\
'"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'"$config_digest"'",'\
'"size":'"$config_size"'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",'\
'"digest":"sha256:'"$layer_digest"'","size":'"$layer_size"'}]}' > "$work/manifest.json"
manifest_digest=$(sha "$work/manifest.json")
manifest_size=$(size "$work/manifest.json")
mv "$work/manifest.json" "$layout/blobs/sha256/$manifest_digest"

printf '%s' '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",'\
'"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",'\
'"digest":"sha256:'"$manifest_digest"'","size":'"$manifest_size"','\
'"platform":{"architecture":"amd64","os":"linux"},'\
'"annotations":{"io.containerd.image.name":"docker.io/library/busybox:latest",'\
'"org.opencontainers.image.ref.name":"latest"}}]}' > "$layout/index.json"

chmod -R u=rwX,go=rX "$layout"
mkdir -p "$(dirname "$out")"
det_tar -C "$layout" -cf "$out.tmp" blobs index.json oci-layout
mv "$out.tmp" "$out"
echo "sha256:$manifest_digest"
