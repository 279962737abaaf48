// The book's website: copy the feed address; on an episode page, highlight the sentence
// being spoken (aria-current) and, inside it, the word (a class: for sight only, so screen
// readers are not sent every word), and seek by sentence or by word. Plain script, no
// framework: the pages work without it.
(function () {
  "use strict";

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    var status = button.parentNode.querySelector("[data-copied]");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        if (status) status.textContent = status.dataset.copied;
      });
    });
  });

  var transcript = document.getElementById("transcript");
  var audio = transcript && document.getElementById(transcript.dataset.audio);
  if (!audio) return;
  // Sentences and pauses, in order of time (the page lists them in the order they are said).
  var timed = Array.prototype.slice.call(
    transcript.querySelectorAll(".s[data-start], .pause[data-start]")
  );
  var starts = timed.map(function (el) { return +el.dataset.start; });
  var ends = timed.map(function (el) { return +el.dataset.end; });
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var current = null;
  var word = null;

  function at(ms) {
    // The last element starting at or before ms, if ms is before its end.
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= ms) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 && ms < ends[found] ? timed[found] : null;
  }

  function wordAt(el, ms) {
    // The word of sentence el being heard at ms (each is lit until the next begins).
    if (!el) return null;
    var words = el.querySelectorAll(".w");
    for (var i = words.length - 1; i >= 0; i--) {
      if (+words[i].dataset.start <= ms) return ms < +words[i].dataset.end ? words[i] : null;
    }
    return null;
  }

  function light(ms) {
    var w = wordAt(current, ms);
    if (w === word) return;
    if (word) word.classList.remove("said");
    word = w;
    if (w) w.classList.add("said");
  }

  function update() {
    var ms = audio.currentTime * 1000;
    var el = at(ms);
    if (el === current) { light(ms); return; }
    if (current) current.removeAttribute("aria-current");
    current = el;
    light(ms);
    if (!el) return;
    el.setAttribute("aria-current", "true");
    if (!audio.paused && !reduceMotion.matches) {
      el.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  function follow() {
    update();
    if (!audio.paused) window.requestAnimationFrame(follow);
  }

  function seek(el) {
    audio.currentTime = +el.dataset.start / 1000;
    update();
  }

  transcript.querySelectorAll(".w").forEach(function (w) {
    w.addEventListener("click", function (event) {
      event.stopPropagation(); // to the word, not to its sentence's start
      seek(w);
    });
  });

  transcript.classList.add("seekable");
  transcript.querySelector(".help").hidden = false;
  timed.forEach(function (el) {
    if (!el.classList.contains("s")) return;
    el.tabIndex = 0;
    el.addEventListener("click", function () { seek(el); });
    el.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); seek(el); }
    });
  });
  ["play", "timeupdate", "seeked", "pause"].forEach(function (name) {
    audio.addEventListener(name, name === "play" ? follow : update);
  });
  update();
})();
