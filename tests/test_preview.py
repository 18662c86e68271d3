"""`make preview` (tools/preview.py): a page must show every image and widget placeholder of its notebook."""
import base64, io, json, sys
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT/'tools'))
import preview as P

def _png() -> str:
    from PIL import Image
    buf = io.BytesIO(); Image.new('RGB', (40, 20), (200, 30, 30)).save(buf, 'PNG')
    return base64.b64encode(buf.getvalue()).decode()

def _nb(tmp_path, md_image='pic.png'):
    "A notebook with a PNG output, a markdown image, a widget output and a hidden cell."
    (tmp_path/'pic.png').write_bytes(base64.b64decode(_png()))
    code = lambda src, outs: dict(cell_type='code', id=f'c{len(src)}', metadata={}, source=src, execution_count=None, outputs=outs)
    nb = dict(nbformat=4, nbformat_minor=5, metadata={}, cells=[
        dict(cell_type='markdown', id='m1', metadata={}, source=f'# Page\n\n![a picture]({md_image})'),
        code('plot()', [dict(output_type='display_data', metadata={}, data={'image/png': _png(), 'text/plain': '<Figure>'})]),
        code('show(picker)', [dict(output_type='display_data', metadata={}, data={
            'application/vnd.jupyter.widget-view+json': {'model_id': 'abc', 'version_major': 2, 'version_minor': 0},
            'text/plain': 'interactive(children=(Dropdown(value=1),))'})]),
        code('#| hide\nsecret()', [dict(output_type='stream', name='stdout', text='hidden text\n')])])
    path = tmp_path/'page.ipynb'
    path.write_text(json.dumps(nb))
    return path

def test_page_shows_images_and_widget_placeholders(tmp_path):
    page, probs, n_img = P.render(_nb(tmp_path), tmp_path/'out')
    assert probs == [] and n_img == 2
    body = page.read_text()
    assert 'interactive(children=(Dropdown(value=1),))' in body and 'hidden text' not in body

def test_missing_image_is_reported(tmp_path):
    _, probs, _ = P.render(_nb(tmp_path, md_image='gone.png'), tmp_path/'out')
    assert probs == ['markdown image gone.png does not exist']

@pytest.mark.skipif(P.chromium() is None, reason='no Chromium on this machine (make preview needs one: apt-get install chromium)')
def test_browser_loads_every_image(tmp_path):
    "In the browser, the page's images are decoded, a broken one is named, and the screenshot is not blank."
    page, probs, n_img = P.render(_nb(tmp_path), tmp_path/'out')
    page.write_text(page.read_text().replace('</body>', '<img src="missing.png"></body>'))
    shot = tmp_path/'shot.png'
    rep = P.browse(P.chromium(), page, shot, width=400, height=300)
    assert rep['images'] == n_img + 1 and [b.rsplit('/', 1)[-1] for b in rep['broken']] == ['missing.png'], rep
    assert not P.blank(shot)
