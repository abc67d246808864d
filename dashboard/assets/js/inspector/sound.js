// The inspector's alert sound: a short WebAudio beep, unless muted (remembered in this
// browser). sound.beep is what plays.
const MUTE_KEY = "bluelamp.alerts.muted";
let audio = null;

export const sound = {
  muted() { try { return window.localStorage.getItem(MUTE_KEY) === "1"; } catch { return false; } },
  setMuted(muted) { try { window.localStorage.setItem(MUTE_KEY, muted ? "1" : "0"); } catch { /* private mode: not remembered */ } },
  play(why) { if (!sound.muted()) { sound.beep(why); } },
  beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") { audio.resume(); }
      [0, 0.25].forEach((at) => {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.type = "square";
        osc.frequency.value = 880;
        gain.gain.value = 0.08;
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + at);
        osc.stop(audio.currentTime + at + 0.15);
      });
    } catch { /* no audio device: the banner still shows */ }
  },
};
