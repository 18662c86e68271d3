"""Render `nbs/index.ipynb` to `README.md` without Quarto.

nbdev builds the README with Quarto (`nbdev-readme`), which is not available on every machine. This script gives the
same content in plain GitHub markdown: markdown cells as they are, shown code cells as fenced Python followed by their
text output; cells marked `#| hide` (and exported cells) are left out, as on the documentation site.

    python tools/readme.py           # write README.md
    python tools/readme.py --check   # exit 1 if README.md differs from what the notebook gives
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEX, README = ROOT/'nbs'/'index.ipynb', ROOT/'README.md'
HEADER = '<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, then run `make readme`. -->'
HIDDEN = {'hide', 'export', 'exports', 'exporti'}

def _directives(lines):
    "Names of the nbdev directives (`#| name ...`) at the top of a code cell."
    return {l[2:].strip().split(':')[0].split()[0] for l in lines if l.startswith('#|') and l[2:].strip()}

def _outputs(cell):
    "Plain-text outputs of a code cell (streams and text/plain results)."
    for out in cell.get('outputs', []):
        if out.get('output_type') == 'stream': yield ''.join(out['text'])
        elif 'text/plain' in out.get('data', {}) and 'text/html' not in out['data']: yield ''.join(out['data']['text/plain'])

def render(nb_path=INDEX) -> str:
    "The README text for the notebook at `nb_path`."
    parts = [HEADER]
    for cell in json.loads(Path(nb_path).read_text(encoding='utf-8'))['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown': parts.append(src.strip())
        if cell['cell_type'] != 'code': continue
        lines = src.splitlines()
        if _directives(lines) & HIDDEN: continue
        code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if code: parts.append(f'```python\n{code}\n```')
        parts += [f'```\n{o.rstrip()}\n```' for o in _outputs(cell) if o.strip()]
    return '\n\n'.join(p for p in parts if p) + '\n'

if __name__ == '__main__':
    text = render()
    if '--check' in sys.argv[1:]:
        if not README.exists() or README.read_text(encoding='utf-8') != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `make readme`')
    else: README.write_text(text, encoding='utf-8')
