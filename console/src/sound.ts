// The new-order chime, made with Web Audio (no audio file). Browsers keep audio blocked until the user
// has interacted with the page: the context is created (or resumed) on the first gesture.
let context: AudioContext | null = null;

export async function enable(): Promise<boolean> {
  try {
    context ??= new AudioContext();
    if (context.state === "suspended") await context.resume();
  } catch {
    return false;
  }
  return context.state === "running";
}

export function enabled(): boolean {
  return context !== null && context.state === "running";
}

/** Two short rising tones; false when audio is not enabled yet (nothing is played). */
export function chime(): boolean {
  if (!context || context.state !== "running") return false;
  const start = context.currentTime;
  [880, 1320].forEach((frequency, i) => {
    const osc = context!.createOscillator();
    const gain = context!.createGain();
    const at = start + i * 0.18;
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.4, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
    osc.connect(gain).connect(context!.destination);
    osc.start(at);
    osc.stop(at + 0.32);
  });
  return true;
}
