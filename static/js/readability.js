// Live Flesch-Kincaid grade while a reviewer writes a report; the same rules as assessments/readability.py.
(function () {
  var output = document.querySelector("[data-readability-output]");
  if (!output) { return; }
  var sources = document.querySelectorAll("[data-readability-source]");

  function syllables(word) {
    word = word.toLowerCase();
    var groups = word.match(/[aeiouy]+/g);
    var count = groups ? groups.length : 0;
    if (/e$/.test(word) && !/(le|ee)$/.test(word) && count > 1) { count -= 1; }
    return Math.max(count, 1);
  }

  function grade(text) {
    var words = text.match(/[A-Za-z]+(?:'[A-Za-z]+)?/g) || [];
    if (words.length < 10) { return null; }
    var sentences = text.split(/[.!?]+(?:\s|$)|\n\s*\n/).filter(function (s) { return /[A-Za-z]/.test(s); }).length || 1;
    var total = words.reduce(function (sum, w) { return sum + syllables(w); }, 0);
    return Math.round((0.39 * words.length / sentences + 11.8 * total / words.length - 15.59) * 10) / 10;
  }

  function update() {
    var text = Array.prototype.map.call(sources, function (el) { return el.value; }).join("\n\n");
    var value = grade(text);
    output.textContent = value === null ? "not enough text yet" : "grade " + value.toFixed(1);
    output.classList.toggle("text-danger", value !== null && value > 8);
    output.classList.toggle("text-success", value !== null && value <= 8);
  }

  sources.forEach(function (el) { el.addEventListener("input", update); });
})();
