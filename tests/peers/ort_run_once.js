// Runs an ONNX model once in ONNX Runtime (onnxruntime-node, CPU) on a raw float32 input and
// writes the first output as raw float32. Used by the tests that check our models run there.
// Usage: NODE_PATH=tools/peers/node_modules node ort_run_once.js model.onnx in.f32 N C H W out.f32
const ort = require('onnxruntime-node');
const fs = require('fs');

async function main() {
  const [model, input, n, c, h, w, output] = process.argv.slice(2);
  if (!output) throw new Error('usage: ort_run_once.js model.onnx in.f32 N C H W out.f32');
  const bytes = fs.readFileSync(input);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, [+n, +c, +h, +w]) });
  const y = result[session.outputNames[0]];
  fs.writeFileSync(output, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  console.log(JSON.stringify({ dims: y.dims }));
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
