/**
 * The nudge for a new escalation: a short beep made with WebAudio (no audio file to load, and
 * the CSP allows no media origin anyway). Browsers start audio only after the page saw a user
 * gesture; the agent has clicked (login, filters) long before, and if not, the title badge
 * still tells. A failure to play is never an error for the page.
 */

let context: AudioContext | null = null

export function beep(frequency = 880, seconds = 0.18): void {
  try {
    const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
    if (!Ctor) return
    context ??= new Ctor()
    if (context.state === 'suspended') void context.resume().catch(() => undefined)
    const oscillator = context.createOscillator()
    const gain = context.createGain()
    oscillator.type = 'sine'
    oscillator.frequency.value = frequency
    const now = context.currentTime
    gain.gain.setValueAtTime(0.0001, now)
    gain.gain.exponentialRampToValueAtTime(0.2, now + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, now + seconds)
    oscillator.connect(gain).connect(context.destination)
    oscillator.start(now)
    oscillator.stop(now + seconds + 0.02)
  } catch {
    // no audio device, or audio not allowed yet: the title badge carries the news
  }
}
