# Shared by scripts/run and scripts/test: make .venv and install cksloop into it.
# Sourced, not run. Installs the exact versions of requirements.lock (made by scripts/lock) and
# reinstalls only when pyproject.toml or the lock is newer than the last install; compiles the
# translation catalogues (the .mo files are built here, never committed).

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
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
        echo "Installing cksloop${extras:+[$extras]} into .venv (the first time takes a minute) ..."
        .venv/bin/python -m pip install --quiet --disable-pip-version-check \
            --constraint requirements.lock -e ".${extras:+[$extras]}" || return 1
        touch "$stamp"
    fi
    compile_catalogues
}

compile_catalogues() {  # each messages.po into the messages.mo the app reads, when the .po is newer
    local po mo
    for po in cksloop/translations/*/LC_MESSAGES/messages.po; do
        mo=${po%.po}.mo
        if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
            .venv/bin/pybabel -q compile -i "$po" -o "$mo.tmp" -l "$(basename "$(dirname "$(dirname "$po")")")" \
                && mv "$mo.tmp" "$mo" || return 1
        fi
    done
}
