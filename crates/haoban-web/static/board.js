// haoban hall board: keeps the board live and speaks each call. Optional: without it the
// page reloads itself every 15 seconds (a <noscript> refresh).
//
// The server sends two kinds of events on /board/events:
//   board  the board's live part, as HTML rendered by the server: it replaces #board-live's
//   call   a new call (recalls too) as JSON {id, number, window, text, lang}: spoken and flashed
// EventSource reconnects by itself and sends the last call's id, so no call is lost.
(function () {
  "use strict";
  var live = document.getElementById("board-live");
  if (!live || !window.EventSource) {
    return;
  }
  var source = new EventSource(live.getAttribute("data-events"));
  var voiceLang = live.getAttribute("data-voice-lang") || document.documentElement.lang;
  var speech = window.speechSynthesis;
  var voiceButton = document.getElementById("board-voice");

  source.addEventListener("board", function (event) {
    live.innerHTML = event.data;
  });

  source.addEventListener("call", function (event) {
    var call;
    try {
      call = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    flash();
    speak(call.text, call.lang || voiceLang);
  });

  function flash() {
    var now = live.querySelector(".board-now");
    if (!now) {
      return;
    }
    now.classList.remove("board-flash");
    // Reading the layout restarts the animation when the class comes back.
    void now.offsetWidth;
    now.classList.add("board-flash");
  }

  function speak(text, lang) {
    if (!speech || !text || !window.SpeechSynthesisUtterance) {
      return;
    }
    // Said twice, as hall speakers do.
    for (var i = 0; i < 2; i++) {
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      utterance.rate = 0.9;
      speech.speak(utterance);
    }
  }

  // Browsers let a page speak only after someone has touched it once; a screen started
  // with autoplay allowed speaks without it.
  if (speech && voiceButton) {
    voiceButton.hidden = false;
    voiceButton.addEventListener("click", function () {
      speech.cancel();
      speech.speak(new SpeechSynthesisUtterance(""));
      voiceButton.hidden = true;
    });
  }
})();
