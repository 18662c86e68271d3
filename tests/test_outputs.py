"""The cleaning that `make outputs` (tools/outputs.py) applies before a notebook is saved with its outputs."""
import base64, io, sys, tempfile, wave
from pathlib import Path
import numpy as np
from conftest import ROOT

sys.path.insert(0, str(ROOT/'tools'))
import outputs as O

def test_local_paths_become_placeholders():
    tmp = Path(tempfile.gettempdir())/'tmpab12cd'/'run'/'fan.csv'
    text = f"wrote {ROOT/'nbs'/'x.csv'} and {tmp}; read {ROOT.parent/'shared'/'a.wav'}; home {Path.home()/'data'}"
    clean = O.unlocal(text)
    assert clean == "wrote [repo]/nbs/x.csv and [tmp]/run/fan.csv; read [repo]/../shared/a.wav; home ~/data", clean
    assert O.local_paths(clean) == []
    assert O.local_paths(text)

def test_general_path_check():
    for leak in ['/home/ann/asd/x.wav', "'/Users/bo/x'", '/work/main/nbs', 'C:\\Users\\bo\\x', '/tmp/tmp_x/y']:
        assert O.local_paths(leak), leak
    for fine in ['fan/00/rpm=1200', 'https://example.org/home/x', '[repo]/nbs/a.ipynb', 'a/tmp/b', '~/data']:
        assert not O.local_paths(fine), fine

def test_bars_and_timings_removed():
    outs = [{'output_type': 'stream', 'name': 'stderr', 'text': ['Loading: 50%|#####     | 1/2\r', 'Loading: 100%|##########| 2/2\n']},
            {'output_type': 'stream', 'name': 'stdout', 'text': ['epoch 0\r', 'epoch 1\n', 'done\n']},
            {'output_type': 'display_data', 'metadata': {}, 'data': {'text/html': ['<progress value="3"></progress>'], 'text/plain': ['']}},
            {'output_type': 'display_data', 'metadata': {}, 'data': {'text/html': ['<td>0.5</td><td>00:03</td>'], 'text/plain': ['x']}}]
    res = O.clean_outputs(outs)
    assert [o['output_type'] for o in res] == ['stream', 'display_data']
    assert ''.join(res[0]['text']) == 'epoch 1\ndone\n'
    assert ''.join(res[1]['data']['text/html']) == '<td>0.5</td><td>..:..</td>'
    assert O.shows(res) and not O.shows([outs[0]])

def _wav_html(sr, secs):
    buf = io.BytesIO()
    with wave.open(buf, 'wb') as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(sr); w.writeframes(np.zeros(int(sr*secs), np.int16).tobytes())
    return f'<audio controls><source src="data:audio/wav;base64,{base64.b64encode(buf.getvalue()).decode()}" /></audio>'

def test_audio_limits():
    ok = [{'output_type': 'display_data', 'data': {'text/html': _wav_html(16000, 1.0)}}]
    big = [{'output_type': 'display_data', 'data': {'text/html': _wav_html(44100, 1.0)}}]
    assert O.audio_problems(ok) == []
    assert '44100 Hz' in O.audio_problems(big)[0]

def test_png_shrinks():
    import matplotlib; matplotlib.use('agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4, 3)); ax.imshow(np.random.default_rng(0).random((64, 64)))
    buf = io.BytesIO(); fig.savefig(buf, format='png', dpi=72); plt.close(fig)
    b64 = base64.b64encode(buf.getvalue()).decode()
    small = O.small_png(b64)
    assert len(small) <= len(b64) and base64.b64decode(small)[:8] == b'\x89PNG\r\n\x1a\n'
