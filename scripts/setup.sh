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
# the speech crate links (libespeak-ng-dev) and ALSA's (libasound2-dev).
gongkai_need_packages() {
    local missing=()
    command -v cc >/dev/null 2>&1 || missing+=(build-essential)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    local pkg
    for pkg in libinput-dev libudev-dev libxkbcommon-dev libgbm-dev libdrm-dev \
               libfontconfig-dev fonts-noto-cjk espeak-ng libespeak-ng-dev libasound2-dev; do
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

gongkai_setup() {
    gongkai_need_rust
    gongkai_need_packages
    gongkai_target_dir
}
