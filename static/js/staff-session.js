// Staff pages: warn before the idle sign-out, and keep the session alive while someone is typing.
// Without this file the server still signs idle sessions out; this only makes it kind.
(function () {
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var dialogElement = document.getElementById("idle-warning");
  if (!idle || !dialogElement || !window.fetch) { return; }
  var warnBefore = parseInt(body.getAttribute("data-idle-warning"), 10);
  var keepAliveUrl = body.getAttribute("data-keep-alive-url");
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var dialog = new bootstrap.Modal(dialogElement, { backdrop: "static", keyboard: false });
  var countdown = dialogElement.querySelector("[data-idle-countdown]");
  // Typing counts as being here, but tells the server at most this often.
  var pingEvery = Math.min(60, idle / 3) * 1000;
  var deadline, warnTimer, tickTimer, lastPing = Date.now();

  function words(seconds) {
    if (seconds >= 90) { return Math.round(seconds / 60) + " minutes"; }
    return seconds + " second" + (seconds === 1 ? "" : "s");
  }

  function signedOut() {
    // A fresh load of this page: the server signs the session out and asks for the password,
    // then brings the person back here.
    window.location.assign(window.location.href);
  }

  function tick() {
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= 0) { clearInterval(tickTimer); signedOut(); return; }
    countdown.textContent = words(left);
  }

  function schedule(secondsLeft) {
    deadline = Date.now() + (secondsLeft + 1) * 1000;
    clearTimeout(warnTimer);
    clearInterval(tickTimer);
    warnTimer = setTimeout(function () {
      tick();
      dialog.show();
      tickTimer = setInterval(tick, 1000);
    }, Math.max(0, (secondsLeft - warnBefore) * 1000));
  }

  function keepAlive() {
    lastPing = Date.now();
    return fetch(keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok || response.redirected) { throw new Error("signed out"); }
      return response.json();
    }).then(function (data) {
      schedule(data.seconds_left);
    }).catch(signedOut);
  }

  dialogElement.querySelector("[data-keep-alive]").addEventListener("click", function () {
    keepAlive().then(function () { dialog.hide(); });
  });
  ["input", "keydown", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (Date.now() - lastPing > pingEvery && !dialogElement.classList.contains("show")) { keepAlive(); }
    }, { passive: true });
  });
  schedule(idle);
}());
