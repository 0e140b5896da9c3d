/**
 * A guided flow of prompts: numbered steps ("2/6") with a Back button that
 * returns to the step shown before, keeping what was answered so far (each
 * step starts from the state, so going back shows the earlier answer).
 * Steps that do not apply to the state are skipped and not counted.
 */
import { GoBack, type StepOptions } from './prompts';

/** Where a step stands: pass it as the `step` option of its prompt. */
export type StepPosition = NonNullable<StepOptions['step']>;

export interface FlowStep<S> {
  /** Why the step exists, for readers of the flow. */
  readonly name: string;
  /** The step is shown only when this says so (default: always). */
  applies?(state: S): boolean;
  /** Asks and writes the answer into the state; GoBack returns to the previous step. */
  run(state: S, position: StepPosition): Promise<void>;
}

/** Runs the steps in order over `state`; Back on the first step cancels (GoBack is a UserCancelled). */
export async function runSteps<S>(state: S, steps: readonly FlowStep<S>[]): Promise<S> {
  const shown: number[] = [];
  let i = 0;
  while (i < steps.length) {
    const step = steps[i];
    if (step.applies && !step.applies(state)) {
      i++;
      continue;
    }
    const applying = steps.filter((s) => !s.applies || s.applies(state));
    const position: StepPosition = { index: applying.indexOf(step) + 1, total: applying.length, back: shown.length > 0 };
    try {
      await step.run(state, position);
    } catch (err) {
      const previous = shown.pop();
      if (err instanceof GoBack && previous !== undefined) {
        i = previous;
        continue;
      }
      throw err;
    }
    shown.push(i);
    i++;
  }
  return state;
}
