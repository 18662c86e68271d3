"""`make preview`: the docs site as a reader sees it, without Quarto. Renders the notebooks to HTML with nbconvert under
`_preview/` (git-ignored), opens every page in headless Chromium, takes screenshots of the home page and one tutorial,
and fails if an image or a widget's placeholder is missing.

    python tools/preview.py                       every notebook that nbdev-test picks
    python tools/preview.py nbs/index.ipynb ...   some of them (the screenshots are of the first and, if given, the
                                                  second; default: the home page and the pipeline tutorial)
    python tools/preview.py --no-browser          render and check the HTML only (no Chromium needed)

What is checked, per page:
- in the HTML: every PNG output of the notebook is an <img>; every markdown image is an <img> whose file exists; every
  widget output shows its placeholder: its static fallback (an image, HTML) or its text, since a page has no kernel to
  draw the widget (nbconvert draws a widget only from a saved widget state, and then the placeholder is the state);
- in Chromium (`CHROMIUM`, else `chromium`, `chromium-browser`, `google-chrome` on PATH): after the page has loaded,
  every <img> has been decoded (no broken image) and there are as many as the HTML check counted.
Like nbdev's docs, cells flagged `#| hide` are left out of the pages.
"""
import argparse, html, json, os, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
OUT = ROOT/'_preview'
SHOTS = ('index.ipynb', 'tutorials/pipeline.ipynb')
WIDGET = 'application/vnd.jupyter.widget-view+json'
WIDGET_STATE = 'application/vnd.jupyter.widget-state+json'
_MD_IMG = re.compile(r'!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|<img\s[^>]*src="([^"]+)"')
# Reports, after the load event, how many images the browser decoded and which it could not: read with --dump-dom
_PROBE = """<script>window.addEventListener('load', () => {
  const bad = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src.slice(0, 100));
  const d = document.createElement('pre'); d.id = 'asd-nb-preview';
  d.textContent = JSON.stringify({images: document.images.length, broken: bad});
  document.body.appendChild(d);
});</script>"""

def chromium():
    "The path of a Chromium-like browser, or None."
    for name in [os.environ.get('CHROMIUM'), 'chromium', 'chromium-browser', 'google-chrome', '/usr/bin/chromium']:
        if name and shutil.which(name): return shutil.which(name)
    return None

def _text(v): return ''.join(v) if isinstance(v, list) else str(v)

def _hidden(cell) -> bool:
    return any(re.match(r'#\|\s*hide\s*$', l.strip()) for l in _text(cell.get('source', '')).splitlines())

def page_notebook(nb: dict) -> dict:
    "The notebook as the page shows it: `#| hide` cells dropped; without a saved widget state, widgets show their placeholder."
    nb = json.loads(json.dumps(nb))
    nb['cells'] = [c for c in nb['cells'] if not _hidden(c)]
    if WIDGET_STATE not in nb.get('metadata', {}).get('widgets', {}):
        for c in nb['cells']:
            for o in c.get('outputs', []):
                if WIDGET in o.get('data', {}) and len(o['data']) > 1: o['data'].pop(WIDGET)
    return nb

def expected(nb: dict, nb_path: Path) -> dict:
    "What the page of `nb` (a `page_notebook`) must show: PNG outputs, markdown images, widget placeholders."
    pngs, md_imgs, widgets = 0, [], []
    for c in nb['cells']:
        if c['cell_type'] == 'markdown':
            for m in _MD_IMG.finditer(_text(c['source'])): md_imgs.append(m.group(1) or m.group(2))
        for o in c.get('outputs', []):
            data = o.get('data', {})
            pngs += 'image/png' in data
            if WIDGET in data or any(WIDGET in _text(v) for v in data.values() if isinstance(v, (str, list))):
                widgets.append(_text(data.get('text/plain', '')).strip())
    return dict(pngs=pngs, md_imgs=md_imgs, widgets=widgets)

def render(nb_path: Path, out_dir: Path = OUT) -> tuple:
    "Render the notebook at `nb_path` to HTML under `out_dir`; return (html path, its problems, images expected)."
    import nbformat
    from nbconvert import HTMLExporter
    raw = json.loads(nb_path.read_text(encoding='utf-8'))
    nb = page_notebook(raw)
    exp = expected(nb, nb_path)
    body, _ = HTMLExporter(template_name='lab').from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4))
    rel = nb_path.resolve().relative_to(NBS) if nb_path.resolve().is_relative_to(NBS) else Path(nb_path.name)
    dest = (out_dir/rel).with_suffix('.html')
    dest.parent.mkdir(parents=True, exist_ok=True)
    probs = []
    n_png = body.count('src="data:image/png;base64,')
    if n_png < exp['pngs']: probs.append(f"{exp['pngs'] - n_png} of {exp['pngs']} PNG outputs are missing from the page")
    for src in exp['md_imgs']:
        if not re.match(r'(https?:|data:)', src):
            if not (nb_path.parent/src).exists(): probs.append(f'markdown image {src} does not exist')
            else:  # the page lives elsewhere: copy the image beside it
                (dest.parent/src).parent.mkdir(parents=True, exist_ok=True); shutil.copy(nb_path.parent/src, dest.parent/src)
        if f'src="{html.escape(src)}"' not in body and f'src="{src}"' not in body: probs.append(f'markdown image {src} is not on the page')
    for text in exp['widgets']:
        if not text or html.escape(text.splitlines()[0]) not in body:
            probs.append(f'a widget has no placeholder on the page ({text[:60]!r})')
    dest.write_text(body.replace('</body>', _PROBE + '\n</body>'), encoding='utf-8')
    return dest, probs, exp['pngs'] + sum(not re.match('https?:', s) for s in exp['md_imgs'])

def browse(browser: str, page: Path, shot: Path | None = None, width: int = 1280, height: int = 2000) -> dict:
    "Open `page` in headless `browser`: the probe's report (images, broken), and a screenshot at `shot` if given."
    base = [browser, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run',
            '--disable-dev-shm-usage', '--virtual-time-budget=8000', f'--window-size={width},{height}']
    with tempfile.TemporaryDirectory() as prof:
        base.append(f'--user-data-dir={prof}')
        dom = subprocess.run(base + ['--dump-dom', page.as_uri()], capture_output=True, text=True, timeout=120)
        m = re.search(r'<pre id="asd-nb-preview">(.*?)</pre>', dom.stdout, re.S)
        rep = json.loads(html.unescape(m.group(1))) if m else dict(images=0, broken=[], error=dom.stderr[-500:])
        if shot:
            shot.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(base + [f'--screenshot={shot}', page.as_uri()], capture_output=True, timeout=120)
            if not shot.exists(): rep['error'] = f'no screenshot {shot}'
    return rep

def blank(png: Path) -> bool:
    "Is the screenshot a single colour (an empty page)?"
    from PIL import Image
    lo, hi = Image.open(png).convert('L').getextrema()
    return lo == hi

def main():
    sys.path.insert(0, str(ROOT/'tools'))
    from outputs import notebooks
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('notebooks', nargs='*', type=Path)
    ap.add_argument('--no-browser', action='store_true', help='check the HTML only')
    ap.add_argument('--out', type=Path, default=OUT, help='folder for the pages and screenshots')
    a = ap.parse_args()
    nbs = [p.resolve() for p in a.notebooks] or notebooks()
    shots = [p.resolve() for p in a.notebooks[:2]] if a.notebooks else [NBS/s for s in SHOTS]
    browser = None if a.no_browser else chromium()
    if not a.no_browser and browser is None:
        sys.exit('make preview needs Chromium to open the pages (Debian: apt-get install chromium; or set CHROMIUM=/path); '
                 '`python tools/preview.py --no-browser` checks the HTML alone')
    failed = 0
    for nb in nbs:
        page, probs, n_img = render(nb, a.out)
        shot = a.out/'screenshots'/(str(nb.relative_to(NBS).with_suffix('')).replace('/', '_') + '.png') if nb in shots else None
        if browser:
            rep = browse(browser, page, shot, height=4800 if shot else 2000)
            if 'error' in rep: probs.append(f"the browser: {rep['error']}")
            if rep['broken']: probs.append(f"{len(rep['broken'])} image(s) did not load in the browser: {rep['broken'][:2]}")
            if rep['images'] < n_img: probs.append(f"the browser shows {rep['images']} images, {n_img} expected")
            if shot and shot.exists():
                if blank(shot): probs.append(f'the screenshot {shot} is blank')
                print(f'screenshot: {shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot}')
        for p in probs: print(f'{nb.relative_to(ROOT)}: {p}', file=sys.stderr)
        failed += bool(probs)
    print(f'{len(nbs)} pages in {a.out.relative_to(ROOT) if a.out.is_relative_to(ROOT) else a.out}/'
          + (f', {failed} with problems' if failed else ', all images and widget placeholders present'))
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
