# Shared by scripts/run and scripts/test: make .venv and install cksloop into it.
# Sourced, not run. Reinstalls only when pyproject.toml is newer than the last install.

ensure_venv() {
    local extras=$1 stamp=".venv/.installed${1:+-$1}"
    if [ ! -x .venv/bin/python ]; then
        echo "Creating .venv ..."
        if ! "${PYTHON:-python3}" -m venv .venv; then
            # Debian's python3 ships venv separately; as root we can add it
            if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
                rm -rf .venv
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
                "${PYTHON:-python3}" -m venv .venv
            else
                echo "error: cannot create .venv; install python3-venv" >&2
                return 1
            fi
        fi
    fi
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        echo "Installing cksloop${extras:+[$extras]} into .venv (the first time takes a minute) ..."
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"
        touch "$stamp"
    fi
}
