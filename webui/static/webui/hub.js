/* Progressive enhancement only: every form also works without this file. */
(function () {
  "use strict";

  function onReady(fn) { document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", fn) : fn(); }

  // Copy buttons: data-copy="#element-id" copies that element's value or text.
  function setUpCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.querySelector(button.dataset.copy);
        var text = target ? (target.value !== undefined ? target.value : target.textContent) : "";
        var done = function () { var label = button.textContent; button.textContent = "Copied"; setTimeout(function () { button.textContent = label; }, 1500); };
        if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text.trim()).then(done); }
        else if (target && target.select) { target.select(); document.execCommand("copy"); done(); }
        else { var range = document.createRange(); range.selectNodeContents(target); var sel = getSelection(); sel.removeAllRanges(); sel.addRange(range); document.execCommand("copy"); done(); }
      });
    });
  }

  // Destructive forms: data-confirm="message" asks in a dialog, then posts confirm=yes.
  // Without JavaScript the server shows its own confirmation page instead.
  function setUpConfirm() {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || !dialog.showModal) return;
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.confirmed) return;
        event.preventDefault();
        dialog.querySelector("[data-confirm-title]").textContent = form.dataset.confirmTitle || "Are you sure?";
        dialog.querySelector("[data-confirm-message]").textContent = form.dataset.confirm;
        dialog.querySelector("[data-confirm-ok]").textContent = form.dataset.confirmAction || "Confirm";
        dialog.returnValue = "";
        dialog.onclose = function () {
          if (dialog.returnValue !== "ok") return;
          var input = document.createElement("input");
          input.type = "hidden"; input.name = "confirm"; input.value = "yes";
          form.appendChild(input); form.dataset.confirmed = "1"; form.submit();
        };
        dialog.showModal();
      });
    });
  }

  // Phones: the nav folds behind its Menu button (CSS shows the button below 820 px only);
  // without JavaScript the nav stays open and wraps.
  function setUpNavToggle() {
    var toggle = document.querySelector(".nav-toggle"), nav = document.getElementById("main-nav");
    if (!toggle || !nav) return;
    document.documentElement.classList.add("nav-folds");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    });
  }

  // Phones show each table row as a card: every cell is labelled with its column's heading.
  function setUpTableLabels() {
    document.querySelectorAll(".table-wrap > table").forEach(function (table) {
      var heads = [].map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody > tr").forEach(function (row) {
        [].forEach.call(row.children, function (cell, i) { if (heads[i] && !cell.dataset.label) cell.dataset.label = heads[i]; });
      });
    });
  }

  onReady(function () { setUpNavToggle(); setUpTableLabels(); });

  function setUpAutosubmit() {
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("[data-hide-with-js]").forEach(function (el) { el.hidden = true; });
  }

  // Secret token "Generate": fills the field with 32 random URL-safe characters.
  function setUpGenerate() {
    document.querySelectorAll("[data-generate]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var bytes = new Uint8Array(24); crypto.getRandomValues(bytes);
        var text = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        var input = document.querySelector(button.dataset.generate); input.value = text; input.type = "text";
      });
    });
  }

  // API request builder: the browser calls the API itself with the key the admin pasted, so
  // the request meets the same key check and IP whitelist as any client's; the key never
  // passes through the console.
  function setUpApiRunner() {
    var form = document.getElementById("api-builder");
    if (!form) return;
    var keyInput = document.getElementById("api-key-input");
    var out = document.getElementById("api-result");
    var run = document.getElementById("api-run");
    run.hidden = false;
    run.addEventListener("click", function () {
      var url = document.getElementById("api-url").textContent.trim();
      if (!keyInput.value.trim()) { out.hidden = false; out.querySelector("[data-status]").textContent = "Paste an API key first"; return; }
      run.disabled = true;
      var started = performance.now();
      fetch(url, { headers: { "Authorization": "Bearer " + keyInput.value.trim(), "Accept": "application/json" }, credentials: "omit" })
        .then(function (response) {
          return response.text().then(function (body) {
            var pretty = body; try { pretty = JSON.stringify(JSON.parse(body), null, 2); } catch (e) { /* not JSON */ }
            out.hidden = false;
            var status = out.querySelector("[data-status]");
            status.textContent = response.status + " " + response.statusText;
            status.className = "pill " + (response.ok ? "ok" : "error");
            out.querySelector("[data-latency]").textContent = Math.round(performance.now() - started) + " ms";
            out.querySelector("[data-body]").textContent = pretty;
          });
        })
        .catch(function (error) { out.hidden = false; out.querySelector("[data-status]").textContent = "Request failed: " + error; })
        .finally(function () { run.disabled = false; });
    });
  }

  // Pages with live status (click-to-call) re-fetch a fragment until it settles.
  function setUpLive() {
    document.querySelectorAll("[data-live-url]").forEach(function (box) {
      var tick = function () {
        if (box.dataset.liveDone === "1") return;
        fetch(box.dataset.liveUrl, { headers: { "X-Requested-With": "fetch" } })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (html === null) return;
            var holder = document.createElement("div"); holder.innerHTML = html;
            var fresh = holder.firstElementChild;
            if (fresh) { box.innerHTML = fresh.innerHTML; box.dataset.liveDone = fresh.dataset.liveDone || ""; }
            if (box.dataset.liveDone !== "1") setTimeout(tick, 1000);
          });
      };
      if (box.dataset.liveDone !== "1") setTimeout(tick, 1000);
    });
  }

  function setUpFill() {
    document.querySelectorAll("[data-fill]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { document.querySelector(button.dataset.fill).value = button.dataset.value; });
    });
  }

  // Test request: the payload box starts as the chosen event's catalogue sample; picking another
  // event swaps in its sample unless the admin has edited the box (then a button offers it).
  function setUpTestPayload() {
    var box = document.querySelector("textarea[data-test-payload]");
    var data = document.getElementById("test-samples");
    if (!box || !data) return;
    var samples = JSON.parse(data.textContent);
    var select = box.form.querySelector("select[name=trigger]");
    var reset = box.form.querySelector("[data-reset-payload]");
    var seeded = samples[select.value] === box.value;
    var refresh = function () { reset.hidden = box.value === samples[select.value]; };
    select.addEventListener("change", function () {
      if (seeded) box.value = samples[select.value] || "{}";
      refresh();
    });
    box.addEventListener("input", function () { seeded = box.value === samples[select.value]; refresh(); });
    reset.addEventListener("click", function () { box.value = samples[select.value] || "{}"; seeded = true; refresh(); });
    refresh();
  }

  // A table or code block wider than the screen scrolls sideways; keyboard users reach that
  // scroll only if the box can take focus (WCAG 2.1.1), so such boxes join the tab order.
  function setUpScrollFocus() {
    var mark = function () {
      document.querySelectorAll(".table-wrap, pre.code, .secret-box code").forEach(function (box) {
        var scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
        if (scrolls) box.setAttribute("tabindex", "0"); else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
      });
    };
    mark();
    window.addEventListener("resize", mark);
  }

  // data-show-for="#select" data-show-values="a b": shown only while the select holds a or b
  // (a source form asks only for its kind's fields). Without JavaScript every group shows.
  function setUpShowFor() {
    document.querySelectorAll("[data-show-for]").forEach(function (group) {
      var select = document.querySelector(group.dataset.showFor);
      if (!select) return;
      var values = group.dataset.showValues.split(" ");
      var update = function () { group.hidden = values.indexOf(select.value) < 0; };
      select.addEventListener("change", update);
      update();
    });
  }

  onReady(function () { setUpShowFor(); setUpScrollFocus(); setUpTestPayload(); setUpFill(); setUpCopy(); setUpConfirm(); setUpAutosubmit(); setUpGenerate(); setUpApiRunner(); setUpLive(); });
})();
