#!/usr/bin/env bash
# The arm64 side of gongkai on an x86 machine, sourced by scripts/package
# and scripts/verify-arm64 (after scripts/setup.sh). Needs root (debootstrap,
# chroot, mount) and deb.debian.org; nothing else from the network.
#
# Everything lives outside the clone, in $GONGKAI_ARM64_CACHE
# (~/.cache/gongkai-arm64), and is reused between runs:
#   build-sid/        a Debian sid amd64 chroot that cross-builds for arm64:
#                     rustc/cargo ≥ 1.90 with libstd-rust-dev:arm64 (rustup has
#                     no aarch64 std here), gcc-aarch64-linux-gnu, and the arm64
#                     -dev libraries the crates link, through multiarch
#   target/           the cross build's target folder
#   rootfs-trixie.tar a clean arm64 Debian trixie root file system (debootstrap
#                     --foreign, second stage under qemu-user-static), unpacked
#                     afresh for every verification
set -euo pipefail

GONGKAI_ARM64_CACHE="${GONGKAI_ARM64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gongkai-arm64}"
GONGKAI_DEBIAN_MIRROR="${GONGKAI_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The suite the box runs (the package must install there).
GONGKAI_ARM64_SUITE="${GONGKAI_ARM64_SUITE:-trixie}"

# The build chroot's packages; a change rebuilds the chroot's package set.
GONGKAI_BUILDROOT_PACKAGES=(
    rustc cargo libstd-rust-dev:arm64 gcc gcc-aarch64-linux-gnu libc6-dev libc6-dev:arm64
    pkgconf dpkg-dev binutils-aarch64-linux-gnu file
    libudev-dev:arm64 libinput-dev:arm64 libxkbcommon-dev:arm64 libgbm-dev:arm64
    libdrm-dev:arm64 libfontconfig-dev:arm64 libespeak-ng-dev:arm64 libasound2-dev:arm64
)

gongkai_need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "需要 root 权限（debootstrap、chroot、mount）：请用 sudo 运行 $0" >&2
        exit 1
    fi
}

# debootstrap, qemu-user-static, and the kernel running arm64 programs
# through qemu (binfmt_misc, registered with the F flag so that it works
# inside chroots without copying qemu into them).
gongkai_arm64_host_tools() {
    gongkai_need_root
    gongkai_apt_install debootstrap qemu-user-static
    local bm=/proc/sys/fs/binfmt_misc
    [ -e "$bm/register" ] || mount -t binfmt_misc binfmt_misc "$bm"
    if [ ! -e "$bm/qemu-aarch64" ]; then
        # The line Debian ships for systemd-binfmt.
        grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf | head -1 >"$bm/register"
    fi
}

# Mounts what a chroot needs; gongkai_chroot_umount undoes it.
gongkai_chroot_mount() {
    local root="$1"
    mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
    mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
    mountpoint -q "$root/dev/pts" || mount --bind /dev/pts "$root/dev/pts"
    mountpoint -q "$root/sys" || mount --bind /sys "$root/sys"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

gongkai_chroot_umount() {
    local root="$1" m
    # Deepest first: bind mounts of the source, target and registry too.
    for m in $(awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
}

# Runs a command in a chroot with a clean environment.
gongkai_in_chroot() {
    local root="$1"
    shift
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

gongkai_apt_conf() {
    local root="$1"
    # sid's Release file here is past its Valid-Until; signatures are still checked.
    printf 'Acquire::Check-Valid-Until "false";\nAPT::Install-Recommends "false";\n' \
        >"$root/etc/apt/apt.conf.d/99gongkai"
}

# The cross-building chroot, made once and brought up to the package list.
gongkai_arm64_buildroot() {
    local root="$GONGKAI_ARM64_CACHE/build-sid"
    local stamp="$root/.gongkai-$(printf '%s\n' "${GONGKAI_BUILDROOT_PACKAGES[@]}" | sha256sum | cut -c1-16)"
    export GONGKAI_BUILDROOT="$root"
    [ -e "$stamp" ] && return 0
    mkdir -p "$GONGKAI_ARM64_CACHE"
    if [ ! -e "$root/.gongkai-base" ]; then
        echo "== 正在创建交叉编译环境（Debian sid，$root）" >&2
        rm -rf "$root"
        debootstrap --variant=minbase --include=ca-certificates sid "$root" "$GONGKAI_DEBIAN_MIRROR"
        touch "$root/.gongkai-base"
    fi
    gongkai_apt_conf "$root"
    trap 'gongkai_chroot_umount "$GONGKAI_BUILDROOT"' EXIT
    gongkai_chroot_mount "$root"
    gongkai_in_chroot "$root" dpkg --add-architecture arm64
    gongkai_in_chroot "$root" apt-get update -qq
    gongkai_in_chroot "$root" apt-get install -y -qq "${GONGKAI_BUILDROOT_PACKAGES[@]}"
    gongkai_chroot_umount "$root"
    trap - EXIT
    rm -f "$root"/.gongkai-[0-9a-f]*
    touch "$stamp"
}

# A tarball of a clean arm64 root file system of $GONGKAI_ARM64_SUITE.
gongkai_arm64_rootfs_tar() {
    local tar="$GONGKAI_ARM64_CACHE/rootfs-$GONGKAI_ARM64_SUITE.tar"
    export GONGKAI_ROOTFS_TAR="$tar"
    [ -e "$tar" ] && return 0
    local dir="$GONGKAI_ARM64_CACHE/rootfs-$GONGKAI_ARM64_SUITE.tmp"
    echo "== 正在创建干净的 arm64 根文件系统（Debian $GONGKAI_ARM64_SUITE，qemu 下第二阶段）" >&2
    rm -rf "$dir"
    debootstrap --foreign --arch=arm64 --variant=minbase --include=ca-certificates \
        "$GONGKAI_ARM64_SUITE" "$dir" "$GONGKAI_DEBIAN_MIRROR"
    trap 'gongkai_chroot_umount "'"$dir"'"' EXIT
    gongkai_chroot_mount "$dir"
    gongkai_in_chroot "$dir" /debootstrap/debootstrap --second-stage
    gongkai_chroot_umount "$dir"
    trap - EXIT
    gongkai_apt_conf "$dir"
    rm -rf "$dir"/var/cache/apt/archives/*.deb
    tar -C "$dir" -cf "$tar.part" .
    mv "$tar.part" "$tar"
    rm -rf "$dir"
}
