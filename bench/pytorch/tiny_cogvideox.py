#!/usr/bin/env python3
"""PyTorch twin of the C# benchmark's CogVideoX-like transformer, for the TorchSharp/PyTorch speed ratio (issue 8).

The architecture, written from scratch (not diffusers): sinusoidal timestep embedding + MLP, Conv2d patch embedding and
text projection, blocks of expert AdaLN-Zero (one LayerNorm, separate video/text modulation), joint text+video
attention with per-head LayerNorm on q/k and 3-D RoPE on the video tokens, a GELU-tanh feed-forward over text+video,
gated residuals; then LayerNorm, AdaLN out, linear projection and unpatchify.

Timed like the C# side: a training step (forward, CogVideoX x0 loss, backward, clip 1.0, AdamW) at batch B, and a
sampling step (CFG forward at batch 2 without gradients, CFG combine, a DDIM v-prediction step).
Prints one JSON object. Usage: python3 tiny_cogvideox.py --config '{json}' --batch 4 --latent 3 8 8 --threads 2
"""
import argparse, json, math, statistics, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNormZero(nn.Module):
    def __init__(self, cond, dim, eps):
        super().__init__()
        self.linear = nn.Linear(cond, 6 * dim)
        self.norm = nn.LayerNorm(dim, eps=eps)

    def forward(self, h, e, temb):
        shift, scale, gate, eshift, escale, egate = self.linear(F.silu(temb)).chunk(6, dim=1)
        h = self.norm(h) * (1 + scale[:, None]) + shift[:, None]
        e = self.norm(e) * (1 + escale[:, None]) + eshift[:, None]
        return h, e, gate[:, None], egate[:, None]


def apply_rotary(x, cos, sin):  # x [B, h, N, d]; interleaved pairs
    pairs = x.reshape(*x.shape[:-1], -1, 2)
    real, imag = pairs.unbind(-1)
    rotated = torch.stack([-imag, real], dim=-1).flatten(3)
    return x * cos + rotated * sin


class Attention(nn.Module):
    def __init__(self, heads, head_dim):
        super().__init__()
        d = heads * head_dim
        self.heads, self.head_dim = heads, head_dim
        self.to_q, self.to_k, self.to_v, self.to_out = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.norm_q, self.norm_k = nn.LayerNorm(head_dim, eps=1e-6), nn.LayerNorm(head_dim, eps=1e-6)

    def forward(self, h, e, rope):
        L = e.shape[1]
        x = torch.cat([e, h], dim=1)
        b, s, _ = x.shape
        q, k, v = (m(x).view(b, s, self.heads, self.head_dim).transpose(1, 2) for m in (self.to_q, self.to_k, self.to_v))
        q, k = self.norm_q(q), self.norm_k(k)
        if rope is not None:
            cos, sin = rope
            q = torch.cat([q[:, :, :L], apply_rotary(q[:, :, L:], cos, sin)], dim=2)
            k = torch.cat([k[:, :, :L], apply_rotary(k[:, :, L:], cos, sin)], dim=2)
        if hasattr(F, "scaled_dot_product_attention"):
            o = F.scaled_dot_product_attention(q, k, v)
        else:  # torch < 2.0 (Debian's 1.13): the same math, unfused
            o = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.head_dim), dim=-1) @ v
        o = self.to_out(o.transpose(1, 2).reshape(b, s, -1))
        return o[:, L:], o[:, :L]


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["num_attention_heads"] * c["attention_head_dim"]
        self.norm1 = LayerNormZero(c["time_embed_dim"], d, c["norm_eps"])
        self.attn1 = Attention(c["num_attention_heads"], c["attention_head_dim"])
        self.norm2 = LayerNormZero(c["time_embed_dim"], d, c["norm_eps"])
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(approximate="tanh"), nn.Linear(4 * d, d))

    def forward(self, h, e, temb, rope):
        L = e.shape[1]
        nh, ne, g, eg = self.norm1(h, e, temb)
        ah, ae = self.attn1(nh, ne, rope)
        h, e = h + g * ah, e + eg * ae
        nh, ne, g, eg = self.norm2(h, e, temb)
        ff = self.ff(torch.cat([ne, nh], dim=1))
        return h + g * ff[:, L:], e + eg * ff[:, :L]


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        d = c["num_attention_heads"] * c["attention_head_dim"]
        self.d, self.p = d, c["patch_size"]
        self.proj = nn.Conv2d(c["in_channels"], d, self.p, self.p)
        self.text_proj = nn.Linear(c["text_embed_dim"], d)
        self.time1, self.time2 = nn.Linear(d, c["time_embed_dim"]), nn.Linear(c["time_embed_dim"], c["time_embed_dim"])
        self.blocks = nn.ModuleList(Block(c) for _ in range(c["num_layers"]))
        self.norm_final = nn.LayerNorm(d, eps=c["norm_eps"])
        self.norm_out_linear = nn.Linear(c["time_embed_dim"], 2 * d)
        self.norm_out = nn.LayerNorm(d, eps=c["norm_eps"])
        self.proj_out = nn.Linear(d, self.p * self.p * c["in_channels"])

    def time_proj(self, t):
        half = self.d // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
        args = t.float()[:, None] * freqs[None]
        return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)  # flip_sin_to_cos

    def forward(self, x, text, t, rope):
        b, f, c, h, w = x.shape
        p = self.p
        emb = self.time2(F.silu(self.time1(self.time_proj(t))))
        e = self.text_proj(text)
        v = self.proj(x.reshape(b * f, c, h, w)).flatten(2).transpose(1, 2).reshape(b, -1, self.d)
        for blk in self.blocks:
            v, e = blk(v, e, emb, rope)
        v = self.norm_final(v)
        shift, scale = self.norm_out_linear(F.silu(emb)).chunk(2, dim=1)
        v = self.norm_out(v) * (1 + scale[:, None]) + shift[:, None]
        v = self.proj_out(v)
        v = v.reshape(b, f, h // p, w // p, -1, p, p).permute(0, 1, 4, 2, 5, 3, 6).flatten(5, 6).flatten(3, 4)
        return v


def rope_tables(c, f, h, w):
    """3-D RoPE cos/sin [N, d]: t gets d/4 channels, h and w 3d/8 each, pairs interleaved (values as in the C# port
    up to the resize-crop grid, which does not change the cost)."""
    d = c["attention_head_dim"]
    gh, gw = h // c["patch_size"], w // c["patch_size"]
    def one(dim, n):
        freqs = 1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
        ang = torch.arange(n, dtype=torch.float32)[:, None] * freqs[None]
        return ang.repeat_interleave(2, dim=1)
    ft, fh, fw = one(d // 4, f), one(3 * d // 8, gh), one(3 * d // 8, gw)
    ang = torch.cat([ft[:, None, None].expand(f, gh, gw, -1), fh[None, :, None].expand(f, gh, gw, -1),
                     fw[None, None].expand(f, gh, gw, -1)], dim=-1).reshape(f * gh * gw, d)
    return ang.cos(), ang.sin()


def alphas_cumprod():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    return torch.cumprod(1 - betas, 0).float()


def median_times(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - s)
    return statistics.median(ts), ts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, help="transformer config.json as a JSON string")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--latent", type=int, nargs=3, default=[3, 8, 8], metavar=("F", "H", "W"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--reps", type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    c = json.loads(a.config)
    f, h, w = a.latent
    L, C = c["max_text_seq_length"], c["in_channels"]
    model = Transformer(c)
    rope = rope_tables(c, f, h, w) if c.get("use_rotary_positional_embeddings") else None
    abar = alphas_cumprod()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.99), eps=1e-8, weight_decay=1e-4)
    z0 = torch.randn(a.batch, f, C, h, w)
    text = torch.randn(a.batch, L, c["text_embed_dim"])

    def train_step():
        model.train()
        t = torch.randint(0, 1000, (a.batch,))
        noise = torch.randn_like(z0)
        ab = abar[t].view(-1, 1, 1, 1, 1)
        xt = ab.sqrt() * z0 + (1 - ab).sqrt() * noise
        v = model(xt, text, t, rope)
        x0 = ab.sqrt() * xt - (1 - ab).sqrt() * v
        loss = ((1 / (1 - abar[t])).view(-1, 1) * (x0 - z0).pow(2).reshape(a.batch, -1)).mean(1).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=False)

    x = torch.randn(1, f, C, h, w)
    pos, neg = torch.randn(1, L, c["text_embed_dim"]), torch.zeros(1, L, c["text_embed_dim"])
    t_s, t_prev = 799, 779

    def sample_step():
        model.eval()
        with torch.no_grad():
            out = model(torch.cat([x, x]), torch.cat([neg, pos]), torch.full((2,), t_s), rope)
            u, c_ = out.chunk(2)
            v = u + 6.0 * (c_ - u)
            a_t, a_p = abar[t_s], abar[t_prev]
            x0 = a_t.sqrt() * x - (1 - a_t).sqrt() * v
            eps = a_t.sqrt() * v + (1 - a_t).sqrt() * x
            return a_p.sqrt() * x0 + (1 - a_p).sqrt() * eps

    train_med, train_all = median_times(train_step, a.warmup, a.reps)
    sample_med, sample_all = median_times(sample_step, a.warmup, a.reps)
    print(json.dumps({
        "torch_version": torch.__version__, "threads": torch.get_num_threads(),
        "fused_sdpa": hasattr(F, "scaled_dot_product_attention"),
        "params": sum(p.numel() for p in model.parameters()),
        "train_step_s": train_med, "sample_step_s": sample_med,
        "train_all_s": train_all, "sample_all_s": sample_all,
    }))


if __name__ == "__main__":
    sys.exit(main())
