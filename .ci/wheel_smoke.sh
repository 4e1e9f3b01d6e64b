#!/usr/bin/env bash
# The built wheel in a fresh venv per Python version, installed alone (no extras): index and
# drafts on examples/sample_repo, one LSP hover from `docgen serve`, and no torch importable.
# Usage: .ci/wheel_smoke.sh [3.11 3.12 3.13]   (the wheel is built once, into dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("${@:-3.11 3.12 3.13}")
[ $# -eq 0 ] && versions=(3.11 3.12 3.13)
work=$(mktemp -d /tmp/docgen-wheel.XXXXXX)
trap 'rm -rf "$work"' EXIT

find_python() {  # pyenv's Python X.Y, else python3.X on PATH (pyenv shims may refuse: run it)
  local v=$1 candidate
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/"python$v" "$(command -v "python$v" || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import venv' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

t0=$(date +%s)
rm -rf dist/docgen_assistant-*.whl build/
python3 -m pip wheel --no-deps -q -w dist . >/dev/null  # once; every Python installs it
wheel=$(ls dist/docgen_assistant-*.whl)
echo "wheel: $wheel ($(du -h "$wheel" | cut -f1), built in $(( $(date +%s) - t0 )) s)"
"$(command -v python3)" -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$wheel" > "$work/wheel-files"
for required in indexer/models/all-MiniLM-L6-v2/onnx/model_qint8.onnx indexer/queries/python.scm \
    assistant/data/ranker.json assistant/data/corpus.npz assistant/data/NOTICE-corpus \
    assistant/models/docgen-t5/encoder_model.onnx indexer/models/all-MiniLM-L6-v2/LICENSE \
    indexer/models/all-MiniLM-L6-v2/NOTICE 'docgen_assistant-.*dist-info/licenses/NOTICE'; do
  grep -qx "$required" "$work/wheel-files" || { echo "wheel lacks $required"; exit 1; }
done

for v in "${versions[@]}"; do
  py=$(find_python "$v") || { echo "Python $v not found"; exit 1; }
  start=$(date +%s)
  venv="$work/venv-$v"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q "$wheel" 2> "$work/pip-$v.log" || { cat "$work/pip-$v.log"; exit 1; }
  installed=$(( $(date +%s) - start ))
  if "$venv/bin/python" -c "import torch" 2>/dev/null; then echo "torch importable on $v"; exit 1; fi
  for absent in transformers sentence_transformers optimum datasketch; do
    if "$venv/bin/python" -c "import $absent" 2>/dev/null; then echo "$absent installed on $v"; exit 1; fi
  done
  repo="$work/sample-$v"
  cp -r examples/sample_repo "$repo"
  rm -rf "$repo/.docgen"
  export DOCGEN_CACHE_DIR="$work/cache-$v"
  (cd "$work" && "$venv/bin/docgen" index "$repo")
  (cd "$work" && "$venv/bin/docgen" generate "$repo" --diff) > "$work/diff-$v"
  grep -q '^+ *"""[A-Za-z]' "$work/diff-$v" || { echo "no drafts on $v"; cat "$work/diff-$v"; exit 1; }
  "$venv/bin/python" .ci/lsp_hover.py "$venv/bin/docgen" "$repo" inventory/pricing.py "def cheapest_items"
  echo "Python $v: ok (install ${installed} s, total $(( $(date +%s) - start )) s)"
done
echo "wheel smoke: ${versions[*]} passed in $(( $(date +%s) - t0 )) s"
