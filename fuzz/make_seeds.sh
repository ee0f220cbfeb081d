#!/usr/bin/env bash
# Makes the seed corpora under fuzz/corpus/<harness>/ with the project's own commands (and a few
# hand-built TIFF layouts the writer does not produce: tiles, BigTIFF, big-endian). Small files
# only (each a few KB, all < 2 MB); rerun after a format change, then commit the result.
#   fuzz/make_seeds.sh [path/to/tomoedge]      default: build/src/cli/tomoedge
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
T=$(realpath "${1:-build/src/cli/tomoedge}")
C=$PWD/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
q() { "$T" "$@" >/dev/null; }

# A tiny simulated set: 16 x 16 slices, TomoGAN layout and Data Exchange projections.
q simulate -o sim --size 16 --slices 2 --volumes 2 --test-volumes 1 --angles 16 --sparse 4 --threads 1
# Tiny models: a TomoGAN generator at 2% width (1 and 3 channels), int8 u8/s8, static ONNX, TFLite.
q model-init -o tiny.onnx --width 0.02 --depth 1 --seed 1
q model-init -o tiny3.onnx --width 0.02 --depth 3 --seed 2
q quantize tiny.onnx --calib sim/dataset.h5:train_ns -o tiny-int8.onnx --slices 2 --method minmax --threads 1
q quantize tiny3.onnx --calib sim/dataset.h5:train_ns -o tiny3-s8.onnx --slices 2 --activations s8 --threads 1
q export tiny.onnx --format onnx --input 16x16 -o tiny-static.onnx
q export tiny-int8.onnx --format tflite --input 16x16 -o tiny-u8.tflite
q export tiny3-s8.onnx --format tflite --input 8x8 -o tiny3-s8.tflite
q export tiny-int8.onnx --format tflite --input 8x16 --io s8 -o tiny-s8io.tflite

rm -rf "$C" && mkdir -p "$C"/{onnx_import,qdq_program,tflite_verify,tiff_stack,hdf5,cli}
cp tiny.onnx tiny3.onnx tiny-int8.onnx tiny3-s8.onnx tiny-static.onnx "$C/onnx_import/"
cp "$ROOT/tests/fixtures/pytorch/ops_mix.onnx" "$C/onnx_import/pytorch_ops_mix.onnx"  # PyTorch's export
cp tiny-u8.tflite tiny3-s8.tflite tiny-s8io.tflite "$C/tflite_verify/"

# HDF5: the TomoGAN layout, Data Exchange, and u16 / u8 chunked+deflated copies of one dataset.
cp sim/dataset.h5 "$C/hdf5/tomogan_layout.h5"
cp sim/projections/v000_lowdose.h5 "$C/hdf5/data_exchange.h5"
q convert sim/dataset.h5:test_ns u16.h5:data --dtype u16 --deflate 6
q convert sim/dataset.h5:test_gt u8.h5:/group/data --dtype u8
cp u16.h5 "$C/hdf5/u16_deflate.h5"
cp u8.h5 "$C/hdf5/u8_group.h5"

# TIFF: the writer's forms (u8, u16, f32; plain and deflated; multi-page and one page) ...
q convert sim/dataset.h5:test_ns f32.tif
q convert sim/dataset.h5:test_ns u16z.tif --dtype u16 --deflate 6
q convert sim/dataset.h5:test_gt u8.tif --dtype u8
q convert sim/dataset.h5:test_gt folder/ --dtype u16
cp f32.tif u16z.tif u8.tif "$C/tiff_stack/"
cp "$(ls folder/*.tif | head -1)" "$C/tiff_stack/single_page.tif"
# ... and layouts it never writes: tiles, several strips, BigTIFF, big-endian (python, stdlib only).
python3 - "$C/tiff_stack" <<'PY'
import struct, sys
out = sys.argv[1]

def tiff(path, w=16, h=12, pages=2, bits=16, fmt=1, tile=None, rows_per_strip=None, big=False, endian='<'):
    e = endian
    pix = lambda i: (i * 37) % (1 << min(bits, 16))
    def pixels():
        if fmt == 3: return struct.pack(e + 'f' * (w * h), *[(i % 97) / 7.0 for i in range(w * h)])
        code = {8: 'B', 16: 'H', 32: 'I'}[bits]
        return struct.pack(e + code * (w * h), *[pix(i) for i in range(w * h)])
    def chunks(data):  # strips or tiles of one page
        bpp = bits // 8
        if tile:
            tw, th = tile
            res = []
            for ty in range(0, h, th):
                for tx in range(0, w, tw):
                    b = bytearray(tw * th * bpp)
                    for y in range(th):
                        for x in range(tw):
                            if ty + y < h and tx + x < w:
                                s = ((ty + y) * w + tx + x) * bpp
                                d = (y * tw + x) * bpp
                                b[d:d + bpp] = data[s:s + bpp]
                    res.append(bytes(b))
            return res
        rps = rows_per_strip or h
        return [data[y * w * bpp:min(y + rps, h) * w * bpp] for y in range(0, h, rps)]
    head = (b'II' if e == '<' else b'MM') + (struct.pack(e + 'HHHQ', 43, 8, 0, 0) if big else struct.pack(e + 'HI', 42, 0))
    buf = bytearray(head)
    ifd_offsets = []
    for p in range(pages):
        cs = chunks(pixels())
        offs = []
        for c in cs:
            offs.append(len(buf)); buf += c
        # arrays of offsets and byte counts
        kind, size = (16, 8) if big else (4, 4)
        code = 'Q' if big else 'I'
        off_arr = len(buf); buf += struct.pack(e + code * len(offs), *offs)
        cnt_arr = len(buf); buf += struct.pack(e + code * len(cs), *[len(c) for c in cs])
        tags = [(256, 4, [w]), (257, 4, [h]), (258, 3, [bits]), (259, 3, [1]), (262, 3, [1]), (277, 3, [1]),
                (284, 3, [1]), (339, 3, [fmt])]
        if tile: tags += [(322, 4, [tile[0]]), (323, 4, [tile[1]]), (324, kind, offs), (325, kind, [len(c) for c in cs])]
        else: tags += [(273, kind, offs), (278, 4, [rows_per_strip or h]), (279, kind, [len(c) for c in cs])]
        tags.sort()
        if len(buf) % 2: buf += b'\0'
        ifd_offsets.append(len(buf))
        fmtc = {3: 'H', 4: 'I', 16: 'Q'}
        buf += struct.pack(e + ('Q' if big else 'H'), len(tags))
        for tag, typ, vals in tags:
            n = len(vals)
            if n * {3: 2, 4: 4, 16: 8}[typ] <= (8 if big else 4):
                v = struct.pack(e + fmtc[typ] * n, *vals).ljust(8 if big else 4, b'\0')
            else:
                v = struct.pack(e + ('Q' if big else 'I'), off_arr if tag in (273, 324) else cnt_arr)
            buf += struct.pack(e + 'HH', tag, typ) + struct.pack(e + ('Q' if big else 'I'), n) + v
        buf += struct.pack(e + ('Q' if big else 'I'), 0)  # next IFD, patched below
    for i, o in enumerate(ifd_offsets):
        nxt = ifd_offsets[i + 1] if i + 1 < len(ifd_offsets) else 0
        at_next = o + (8 if big else 2) + (20 if big else 12) * struct.unpack_from(e + ('Q' if big else 'H'), buf, o)[0]
        struct.pack_into(e + ('Q' if big else 'I'), buf, at_next, nxt)
    struct.pack_into(e + ('Q' if big else 'I'), buf, 8 if big else 4, ifd_offsets[0])
    open(f'{out}/{path}', 'wb').write(buf)

tiff('tiled_u16.tif', tile=(16, 16), w=20, h=18)
tiff('strips_u8.tif', bits=8, rows_per_strip=5, pages=3)
tiff('bigtiff_f32.tif', bits=32, fmt=3, big=True, rows_per_strip=4)
tiff('bigendian_u16.tif', endian='>', rows_per_strip=3)
tiff('tiled_bigendian_f32.tif', bits=32, fmt=3, tile=(16, 16), endian='>', pages=1)
PY

# QDQ program: edit scripts (harness: base graph, number of edits, then per edit a kind and values).
printf '\x00' > "$C/qdq_program/base_u8"
printf '\x01' > "$C/qdq_program/base_s8"
printf '\x02' > "$C/qdq_program/base_chained"
printf '\x00\x02\x00\x00\x00\x00\x03\x00\x00\x00\x05\x3f\x80\x00\x00\x01\x00\x00\x00\x02\x05\x00\x40\x00\x00\x00' > "$C/qdq_program/edit_constant_and_scale"
printf '\x02\x03\x01\x00\x00\x00\x01\x03\x01\x02\x00\x00\x00\x04\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$C/qdq_program/edit_nodes_and_wiring"

# Command lines: NUL-separated arguments (what the CLI harness splits on).
args() { local name=$1; shift; printf '%s\0' "$@" > "$C/cli/$name"; }
args denoise denoise model.onnx in.h5:test_ns out.tif --tile 64 --halo 16 --batch 2 --workers 2 --precision int8 --backend reference --dtype u16
args quantize quantize model.onnx --calib data.h5:train_ns -o q.onnx --slices 4 --method entropy --activations s8 --no-equalize
args export export q.onnx --format tflite --input 64x128 --io u8 -o m.tflite --json
args simulate simulate -o out --size 64 --slices 4 --phantom shepp-logan --sparse 2 --i0 500 --filter hann --seed 3
args recon recon proj.h5 out.h5:recon --center 31.5 --filter ram-lak --slab 4
args convert convert a.tif b.h5:data --dtype u8 --scale percentile --percentiles 1 99 --deflate 4
args compare compare a.h5:x b.h5:y --json
args bench bench --size 256 --runs 3 --precision bf16
args info info data.h5 --pages --no-range --json
args evaluate evaluate --data d.h5 --model m.onnx --slices 4 --csv x.csv
args model_init model-init -o m.onnx --width 0.5 --depth 3 --seed 9 --low-percentile 1 --high-percentile 99
args help --help
args version --version
args run run m.onnx in.h5:x out.h5:y --backend onednn
args seams seams m.onnx in.h5:test_ns --tile 64 --halo 0 -o seams.png

# The CLI dictionary: every command and flag name, from the executable's own --help.
{
  echo "# tomoedge commands and flags (made by fuzz/make_seeds.sh from --help)"
  commands=$("$T" --help | awk '/^Subcommands:/ {on = 1; next} on && NF {print $1}')
  for c in $commands; do
    echo "\"$c\""
    "$T" "$c" --help | grep -oE -- '--?[a-zA-Z][a-zA-Z0-9-]*' | sort -u | sed 's/.*/"&"/'
  done | sort -u
} > "$ROOT/fuzz/dict/cli.dict"

du -sh "$C"; find "$C" -type f | wc -l
