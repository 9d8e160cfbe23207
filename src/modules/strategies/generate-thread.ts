/**
 * Worker thread running strategy generation (CPU-bound for a few seconds on the samples), so the process that
 * serves HTTP and events never stalls. In: GenerateStrategyInput; out: {data} or {error: {prompt?, message}}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { generateStrategy, PromptNotUnderstoodError, type GenerateStrategyInput } from '../../matching/smart';

try {
  parentPort?.postMessage({ data: generateStrategy(workerData as GenerateStrategyInput) });
} catch (error) {
  parentPort?.postMessage({
    error:
      error instanceof PromptNotUnderstoodError
        ? { prompt: true, message: error.message, instructions: error.instructions }
        : { message: error instanceof Error ? error.message : String(error) },
  });
}
