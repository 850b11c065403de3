// Identity for the wasm backend without a copy: the output shares the input's memory, counted by
// reference, as on the cpu and webgl backends. Engine layer; runs wherever training runs.
import type * as tf from '@tensorflow/tfjs';

/*
 * Why: tfjs keeps every tensor a gradient needs by cloning it (engine.saveTensorsForBackwardMode),
 * and the wasm backend's Identity allocates and copies, so every op recorded for a gradient paid a
 * malloc and a copy of its saved inputs and outputs, and held that copy until the step ended. Tensors
 * are never written after they are made, so sharing is safe, and the backend already counts
 * references (its Reshape shares memory the same way).
 */
const identity: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  (backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

export const wasmIdentityKernel: tf.KernelConfig = { kernelName: 'Identity', backendName: 'wasm', kernelFunc: identity };
