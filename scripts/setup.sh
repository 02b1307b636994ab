#!/usr/bin/env bash
# Checks what building gongkai needs on a Debian machine and installs the
# missing system packages with apt-get (as root, or through sudo). Sourced by
# scripts/run and scripts/test.
set -euo pipefail

gongkai_need_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        cat >&2 <<'MSG'
缺少 Rust 工具链（cargo）。gongkai 需要 Rust 1.90 或更新版本。
Debian 自带的 rustc 版本过旧，请用 rustup 安装：
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh
安装后重新打开终端，再运行本命令。
MSG
        exit 1
    fi
    local v
    v=$(rustc --version | awk '{print $2}')
    if [ "$(printf '%s\n1.90.0\n' "$v" | sort -V | head -1)" != "1.90.0" ]; then
        echo "Rust $v 过旧，需要 1.90 或更新版本：请运行 rustup update" >&2
        exit 1
    fi
}

# Debian packages: C compiler (bundled SQLite), pkg-config, the libraries
# the kiosk's Slint backends link (libinput, udev, xkbcommon, gbm, drm,
# fontconfig), the Simplified Chinese font it shows, and read-aloud:
# espeak-ng with its voices (espeak-ng-data comes with it), the library
# the speech crate links (libespeak-ng-dev) and ALSA's (libasound2-dev);
# 手写: Zinnia (libzinnia0, loaded when someone writes) and its Simplified
# Chinese model.
gongkai_need_packages() {
    local missing=()
    command -v cc >/dev/null 2>&1 || missing+=(build-essential)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    local pkg
    for pkg in libinput-dev libudev-dev libxkbcommon-dev libgbm-dev libdrm-dev \
               libfontconfig-dev fonts-noto-cjk espeak-ng libespeak-ng-dev libasound2-dev \
               libzinnia0 tegaki-zinnia-simplified-chinese; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    echo "正在安装缺少的系统软件包：${missing[*]}" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "缺少 ${missing[*]}，请以 root 身份运行：apt-get install -y ${missing[*]}" >&2
            exit 1
        fi
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

# One target directory shared by every clone on this machine, so CI runs
# and local runs reuse each other's builds.
gongkai_target_dir() {
    if [ -z "${CARGO_TARGET_DIR:-}" ]; then
        export CARGO_TARGET_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/gongkai-target"
    fi
    mkdir -p "$CARGO_TARGET_DIR"
}

# The Python tools the conformance tests run (scripts/python-tools.txt:
# python-tuf, schemathesis), in a virtualenv under the target directory,
# reinstalled when that list changes. Needs python3 with venv and PyPI.
gongkai_python_tools() {
    local venv="$CARGO_TARGET_DIR/pytools"
    local list="scripts/python-tools.txt"
    local stamp="$venv/.installed-$(sha256sum "$list" | cut -c1-16)"
    export GONGKAI_PYTOOLS="$venv"
    if [ -e "$stamp" ]; then
        return 0
    fi
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        echo "正在安装 python3 与 python3-venv（一致性测试需要）" >&2
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv
    fi
    echo "正在安装一致性测试工具（$list）到 $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$list" || {
        echo "无法从 PyPI 安装 $list 中的工具；一致性测试将失败" >&2
        return 1
    }
    touch "$stamp"
}

# apt-get install of those of the given Debian packages that are missing
# (as root, or through sudo).
gongkai_apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "正在安装缺少的系统软件包：${missing[*]}" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "缺少 ${missing[*]}，请以 root 身份运行：apt-get install -y ${missing[*]}" >&2
            exit 1
        }
        sudo="sudo"
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Tools the scripts build themselves (cargo-deb), outside every clone:
# ~/.cache/gongkai-tools/bin, put on PATH.
gongkai_tools_dir() {
    export GONGKAI_TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/gongkai-tools"
    mkdir -p "$GONGKAI_TOOLS/bin"
    case ":$PATH:" in
        *":$GONGKAI_TOOLS/bin:"*) ;;
        *) export PATH="$GONGKAI_TOOLS/bin:$PATH" ;;
    esac
}

# cargo-deb, pinned, built once into the tools folder (its own lock file,
# --locked). Debian packages are built with it (scripts/package, CI).
GONGKAI_CARGO_DEB_VERSION="3.8.0"
gongkai_need_cargo_deb() {
    gongkai_tools_dir
    if "$GONGKAI_TOOLS/bin/cargo-deb" --version 2>/dev/null | grep -q " $GONGKAI_CARGO_DEB_VERSION\$"; then
        return 0
    fi
    echo "正在构建 cargo-deb $GONGKAI_CARGO_DEB_VERSION 到 $GONGKAI_TOOLS" >&2
    # Its own target folder: the workspace's shared one stays the workspace's.
    CARGO_TARGET_DIR="$GONGKAI_TOOLS/build" cargo install cargo-deb --locked \
        --version "$GONGKAI_CARGO_DEB_VERSION" --root "$GONGKAI_TOOLS" --quiet
    rm -rf "$GONGKAI_TOOLS/build"
}

# systemd-analyze, for `systemd-analyze verify` of the units (scripts/test).
gongkai_need_systemd_analyze() {
    command -v systemd-analyze >/dev/null 2>&1 || gongkai_apt_install systemd
}

gongkai_setup() {
    gongkai_need_rust
    gongkai_need_packages
    gongkai_target_dir
}
