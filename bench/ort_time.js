// Times an ONNX model in ONNX Runtime (onnxruntime-node, CPU EP) on a random 1 x C x size x size
// input: one untimed run, `warmup` more, then `runs` timed ones. Prints one JSON line.
// `tomoedge bench --table` runs it for ONNX Runtime's rows of Table I, in the same benchmark run.
// Usage: NODE_PATH=tools/peers/node_modules node bench/ort_time.js model.onnx C SIZE RUNS THREADS [WARMUP]
const ort = require('onnxruntime-node');

async function main() {
  const [model, channels, size, runs, threads, warmup = '1'] = process.argv.slice(2);
  if (!threads) throw new Error('usage: ort_time.js model.onnx C SIZE RUNS THREADS [WARMUP]');
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: +threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const n = +channels * +size * +size;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.random();
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, [1, +channels, +size, +size]) };
  for (let i = 0; i < 1 + +warmup; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < +runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(JSON.stringify({ ort: ort.env.versions.node, median: sorted[Math.floor(sorted.length / 2)], times }));
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
