// haoban kiosk: the on-screen keypad and the inactivity reset of the self-service
// terminal (/kiosk, and the rating page opened from it). No inline script (the pages'
// CSP forbids it): everything it needs is in data- attributes the server writes.
//
// Keypad: the buttons of #keypad type into the field last focused among those marked
// data-keypad ("id": digits and a final X; "digits"; "decimal": digits and one point).
// Keys a field cannot take are disabled while it is the target. A field that is full
// moves on to the one its data-next names. Fields have inputmode="none", so no system
// keyboard covers the screen.
//
// Reset: #kiosk-config carries data-home (the kiosk's home in Chinese) and data-idle
// (seconds). After that long without a touch, a pointer or a key, every field is cleared,
// the screen is emptied and the kiosk goes home with location.replace (so Back does not
// lead to what was shown); the last ten seconds are counted down in #kiosk-countdown.
// The home in Chinese (data-at-home="true") has nothing to clear and never resets.
(function () {
  "use strict";

  var COUNTDOWN = 10;

  // ---- the keypad ----------------------------------------------------------------
  var keypad = document.getElementById("keypad");
  var lastField = null;

  function keypadFields() {
    return Array.prototype.slice.call(document.querySelectorAll("input[data-keypad]"));
  }

  function isKeypadField(element) {
    return element && element.tagName === "INPUT" && element.hasAttribute("data-keypad");
  }

  function target() {
    if (isKeypadField(document.activeElement)) {
      return document.activeElement;
    }
    if (lastField && document.body.contains(lastField)) {
      return lastField;
    }
    return keypadFields()[0] || null;
  }

  // Whether `field`, holding `value`, takes `key` next.
  function accepts(field, value, key) {
    var kind = field.getAttribute("data-keypad");
    var max = field.maxLength > 0 ? field.maxLength : 64;
    if (value.length >= max) {
      return false;
    }
    if (/^[0-9]$/.test(key)) {
      // An ID number's last character may be X; nothing follows it.
      return !(kind === "id" && /X$/.test(value));
    }
    if (key === "X") {
      return kind === "id" && value.length === 17;
    }
    if (key === ".") {
      return kind === "decimal" && value.indexOf(".") < 0;
    }
    return false;
  }

  function refreshKeys() {
    if (!keypad) {
      return;
    }
    var field = target();
    var keys = keypad.querySelectorAll("[data-key]");
    for (var i = 0; i < keys.length; i++) {
      var key = keys[i].getAttribute("data-key");
      var usable = key === "delete" || key === "clear" || (field !== null && typable(field, key));
      keys[i].disabled = !usable;
    }
  }

  // Whether `key` ever applies to `field`: the keys shown enabled for it. (Whether it
  // takes the key now, `accepts`, is asked on the press: a full field stays as it is.)
  function typable(field, key) {
    var kind = field.getAttribute("data-keypad");
    if (/^[0-9]$/.test(key)) {
      return true;
    }
    if (key === "X") {
      return kind === "id";
    }
    if (key === ".") {
      return kind === "decimal";
    }
    return false;
  }

  function press(key) {
    var field = target();
    if (!field) {
      return;
    }
    var value = field.value;
    if (key === "delete") {
      field.value = value.slice(0, -1);
    } else if (key === "clear") {
      field.value = "";
    } else if (accepts(field, value, key)) {
      field.value = value + key;
    } else {
      return;
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    lastField = field;
    var next = field.getAttribute("data-next");
    var max = field.maxLength > 0 ? field.maxLength : 0;
    if (next && max && field.value.length >= max && document.getElementById(next)) {
      lastField = document.getElementById(next);
      lastField.focus();
    } else {
      field.focus();
    }
    refreshKeys();
  }

  if (keypad) {
    // Pressing a key must not take the focus (and the caret) away from the field.
    keypad.addEventListener("pointerdown", function (event) {
      if (event.target.closest("[data-key]")) {
        event.preventDefault();
      }
    });
    keypad.addEventListener("click", function (event) {
      var button = event.target.closest("[data-key]");
      if (button && !button.disabled) {
        press(button.getAttribute("data-key"));
      }
    });
    document.addEventListener("focusin", function (event) {
      if (isKeypadField(event.target)) {
        lastField = event.target;
        refreshKeys();
      }
    });
    document.addEventListener("input", refreshKeys);
    refreshKeys();
  }

  // A form sends once: a second tap while the next page loads would take a second ticket.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-sent") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "true");
  });
  // A page shown again from the browser's cache (bfcache) may send again.
  window.addEventListener("pageshow", function () {
    var sent = document.querySelectorAll("form[data-sent]");
    for (var i = 0; i < sent.length; i++) {
      sent[i].removeAttribute("data-sent");
    }
  });

  // ---- the inactivity reset ------------------------------------------------------
  var config = document.getElementById("kiosk-config");
  if (!config) {
    return;
  }
  var home = config.getAttribute("data-home");
  var idle = parseInt(config.getAttribute("data-idle"), 10);
  if (!home || !(idle > 0) || config.getAttribute("data-at-home") === "true") {
    return;
  }
  var countdown = document.getElementById("kiosk-countdown");
  var secondsShown = document.getElementById("kiosk-countdown-seconds");
  var lastTouch = Date.now();
  var leaving = false;

  function touched() {
    lastTouch = Date.now();
    if (countdown && !countdown.hidden) {
      countdown.hidden = true;
    }
  }

  ["pointerdown", "touchstart", "keydown", "input", "wheel"].forEach(function (name) {
    document.addEventListener(name, touched, { capture: true, passive: true });
  });

  // Clears everything a resident typed or was shown, then goes home.
  function leave() {
    leaving = true;
    var fields = document.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.tagName === "SELECT") {
        field.selectedIndex = -1;
      } else if (field.type === "checkbox" || field.type === "radio") {
        field.checked = false;
      } else {
        field.value = "";
      }
    }
    var main = document.getElementById("main");
    if (main) {
      main.textContent = "";
    }
    window.location.replace(home);
  }

  function tick() {
    if (leaving) {
      return;
    }
    var left = idle - (Date.now() - lastTouch) / 1000;
    if (left <= 0) {
      leave();
      return;
    }
    if (countdown && left <= COUNTDOWN) {
      if (secondsShown) {
        secondsShown.textContent = String(Math.ceil(left));
      }
      countdown.hidden = false;
    }
  }

  window.setInterval(tick, 250);
})();
