// The live preview (publisher serve --watch): the server puts this script in every page it
// sends while it watches; the published site never has it. It listens to the server's event
// stream; after a build that changed files it reloads the page and keeps its place (scroll,
// the player's position); on the page of the chapter that was edited it plays the new audio
// from the first sentence that changed. A failed build is shown over the page.
(function () {
  "use strict";

  var script = document.currentScript;
  var build = +script.dataset.build;
  var events = script.src.replace(/reload\.js$/, "events") + "?build=" + build;
  var key = "publisher-live:" + location.pathname;
  var media = Array.prototype.slice.call(document.querySelectorAll("audio, video"));

  // The file a media element plays: its path in the build folder, as outputs.py names it.
  function published(url) {
    return decodeURIComponent(new URL(url, location.href).pathname.replace(/^\//, ""));
  }

  function sentences() {
    return Array.prototype.map.call(document.querySelectorAll("#transcript .s"), function (s) {
      return s.textContent;
    });
  }

  function keepPlace(changed) {
    sessionStorage.setItem(key, JSON.stringify({
      x: window.scrollX,
      y: window.scrollY,
      media: media.map(function (m) { return { time: m.currentTime, paused: m.paused }; }),
      sentences: sentences(),
      changed: changed
    }));
  }

  // Where the new audio should start: the first sentence whose text changed.
  function firstChange(before) {
    var now = document.querySelectorAll("#transcript .s");
    for (var i = 0; i < now.length; i++) {
      if (before[i] !== now[i].textContent) return +now[i].dataset.start / 1000;
    }
    return null;
  }

  function whenReady(m, then) {
    if (m.readyState >= 1) then();
    else m.addEventListener("loadedmetadata", then, { once: true });
  }

  function play(m) {
    var playing = m.play();
    // A browser that allows no autoplay leaves it paused, at the right place.
    if (playing && playing.catch) playing.catch(function () {});
  }

  // A new address for this build's media, so the browser fetches the new file rather than
  // keep what it has (the server ignores the query).
  function fresh(element) {
    var src = element.getAttribute("src");
    if (!src) return;
    var url = new URL(src, location.href);
    url.searchParams.set("live", build);
    element.setAttribute("src", url.href);
  }

  function restore() {
    var saved = JSON.parse(sessionStorage.getItem(key) || "null");
    sessionStorage.removeItem(key);
    media.forEach(function (m, i) {
      var file = m.getAttribute("src") && published(m.getAttribute("src"));
      Array.prototype.forEach.call(m.querySelectorAll("source, track"), fresh);
      fresh(m);
      var was = saved && saved.media[i];
      if (!was) return;
      var edited = saved.changed.indexOf(file) >= 0;
      var start = edited ? firstChange(saved.sentences) : null;
      whenReady(m, function () {
        m.currentTime = start !== null ? start : Math.min(was.time, m.duration || was.time);
        if (start !== null || !was.paused) play(m);
      });
    });
    if (saved) {
      var scroll = function () { window.scrollTo(saved.x, saved.y); };
      if (document.readyState === "complete") scroll();
      else window.addEventListener("load", scroll, { once: true });
    }
  }

  var overlay = null;

  function hideError() {
    if (!overlay) return;
    overlay.remove();  // focus inside it, if any, goes back to the page
    overlay = null;
  }

  function showError(lines) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "publisher-live-error";
      overlay.setAttribute("role", "alert");
      overlay.setAttribute("aria-labelledby", "publisher-live-error-title");
      overlay.style.cssText =
        "position:fixed;z-index:2147483647;top:1rem;left:1rem;right:1rem;max-height:80vh;" +
        "overflow:auto;background:#fff;color:#111;border:4px solid #b00020;" +
        "border-radius:6px;padding:1rem 1.25rem;font:16px/1.4 system-ui,sans-serif;" +
        "box-shadow:0 4px 24px rgba(0,0,0,.4)";
      var title = document.createElement("h2");
      title.id = "publisher-live-error-title";
      title.textContent = "The build failed";
      title.style.cssText = "margin:0 0 .5rem;font-size:1.25rem;color:#b00020";
      var text = document.createElement("pre");
      text.style.cssText = "white-space:pre-wrap;margin:0 0 .75rem;font:15px/1.4 monospace";
      var note = document.createElement("p");
      note.textContent = "The page shows the last build that worked. Save a fix and it goes.";
      note.style.margin = "0 0 .75rem";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "Close";
      close.style.cssText = "font:inherit;padding:.25rem 1rem";
      close.addEventListener("click", hideError);
      overlay.addEventListener("keydown", function (event) {
        if (event.key === "Escape") hideError();
      });
      overlay.append(title, text, note, close);
      document.body.prepend(overlay);
    }
    overlay.querySelector("pre").textContent = lines.join("\n");
  }

  var stream = null;

  function listen() {
    if (stream) return;
    stream = new EventSource(events);
    stream.addEventListener("status", function (event) {
      var state = JSON.parse(event.data);
      if (state.build !== build) {
        stream.close();
        keepPlace(state.changed);
        location.reload();
      } else if (state.error) {
        showError(state.error);
      } else {
        hideError();
      }
    });
  }

  // A browser opens few connections to one server (six in Chromium): a hidden page that
  // plays nothing lets go of its stream, and asks again when it is shown.
  document.addEventListener("visibilitychange", function () {
    var playing = media.some(function (m) { return !m.paused; });
    if (document.hidden && !playing && stream) {
      stream.close();
      stream = null;
    } else if (!document.hidden) {
      listen();
    }
  });

  restore();
  listen();
})();
