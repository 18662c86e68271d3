"""Peak GPU memory of one fine-tuning step per encoder, at the paper's batch (32 crops of 2 s), and what
`--gradient-checkpointing`, `--freeze` and a smaller batch with `--accumulate` save. For the README's GPU notes.

    .venv/bin/python benchmarks/gpu_memory.py [--device cuda] [--encoders wav2vec2-base,wavlm-base,wavlm-large,whisper-base,whisper-small]

Each step is what `asd-nb train` does per update: the `ASDModel` (encoder, layer weights, pooling, AAM-softmax head)
forward and backward in bfloat16 autocast (fastai's mixed precision), then an Adam step; the peak is
`torch.cuda.max_memory_allocated` (the caching allocator reserves a little more). Encoders are randomly initialised
from `transformers` configs of the published sizes: nothing is downloaded, and the memory is the pretrained model's.
On a CPU (`--device cpu`) it runs, slowly and in float32, and reports the process's peak resident memory instead.
"""
import argparse, resource, subprocess, sys, json

VARIANTS = {'bs 32': dict(bs=32), 'bs 32, --gradient-checkpointing': dict(bs=32, gradient_checkpointing=True),
            'bs 32, --freeze feature_encoder': dict(bs=32, freeze='feature_encoder'),
            'bs 8 (--bs 8 --accumulate 4)': dict(bs=8)}

def config(name: str):
    import transformers as T
    large = dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096,
                 feat_extract_norm='layer', do_stable_layer_norm=True)
    return {'wav2vec2-base': lambda: T.Wav2Vec2Config(), 'wavlm-base': lambda: T.WavLMConfig(), 'wavlm-large': lambda: T.WavLMConfig(**large),
            'whisper-base': lambda: T.WhisperConfig(d_model=512, encoder_layers=6, encoder_attention_heads=8, encoder_ffn_dim=2048),
            'whisper-small': lambda: T.WhisperConfig(d_model=768, encoder_layers=12, encoder_attention_heads=12, encoder_ffn_dim=3072)}[name]()

def one(encoder: str, variant: str, device: str) -> dict:
    "Peak memory (GiB) of two training steps of `encoder` in `variant`, in this process."
    import torch
    from asd_nb.backbone import SSLBackbone
    from asd_nb.train import ASDModel
    from asd_nb.losses import AAMSoftmaxLoss
    v = dict(VARIANTS[variant]); bs = v.pop('bs')
    torch.manual_seed(0)
    model = ASDModel(SSLBackbone.from_config(config(encoder), **v), 20).to(device).train()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=5e-4)
    loss_fn, cuda = AAMSoftmaxLoss(), device.startswith('cuda')
    if cuda: torch.cuda.reset_peak_memory_stats()
    for _ in range(2):
        x, y = torch.randn(bs, 32000, device=device), torch.randint(0, 20, (bs,), device=device)
        with torch.autocast(device.split(':')[0], dtype=torch.bfloat16, enabled=cuda): loss = loss_fn(model(x), y)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    peak = torch.cuda.max_memory_allocated() if cuda else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return dict(encoder=encoder, variant=variant, gib=peak / 2**30, params_m=sum(p.numel() for p in model.parameters()) / 1e6)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--encoders', default='wav2vec2-base,wavlm-base,wavlm-large,whisper-base,whisper-small')
    ap.add_argument('--one', nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one: print(json.dumps(one(*a.one, a.device))); sys.exit()
    print(f"{'encoder':14s} {'params':>8s}  " + '  '.join(f'{v:>32s}' for v in VARIANTS) + f"   (peak {'GPU' if a.device != 'cpu' else 'RSS'} memory, GiB)")
    for enc in a.encoders.split(','):
        cells, params = [], ''
        for v in VARIANTS:  # each in its own process: its peak is its own
            r = subprocess.run([sys.executable, __file__, '--device', a.device, '--one', enc, v], capture_output=True, text=True)
            if r.returncode: cells.append('failed'); print(r.stderr[-800:], file=sys.stderr); continue
            got = json.loads(r.stdout.splitlines()[-1]); cells.append(f"{got['gib']:.1f}"); params = f"{got['params_m']:.0f} M"
        print(f'{enc:14s} {params:>8s}  ' + '  '.join(f'{c:>32s}' for c in cells))
