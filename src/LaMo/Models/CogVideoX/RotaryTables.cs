using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>Real-valued 3-D RoPE tables for the video tokens, as diffusers' <c>image_rotary_emb</c> tuple.</summary>
/// <param name="Cos">cos table [F·H/p·W/p, head_dim], each frequency repeated twice (interleaved pairs).</param>
/// <param name="Sin">sin table, same shape.</param>
/// <remarks>Borrowed: the record does not own the tensors; whoever created them disposes them.</remarks>
public sealed record RotaryTables(Tensor Cos, Tensor Sin);
