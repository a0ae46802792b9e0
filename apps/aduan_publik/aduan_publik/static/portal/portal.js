/* Optional helpers for the complaint form; the form works fully without them. */
(function () {
  "use strict";
  var kec = document.getElementById("id_kecamatan");
  var kel = document.getElementById("id_kelurahan");
  if (kec && kel) {
    // Show only the kelurahan of the chosen kecamatan (the groups are labelled by kecamatan name).
    var narrow = function () {
      var name = kec.value ? kec.options[kec.selectedIndex].text : "";
      Array.prototype.forEach.call(kel.querySelectorAll("optgroup"), function (group) {
        var show = !name || group.label === name;
        group.hidden = !show;
        group.disabled = !show;
      });
      var chosen = kel.options[kel.selectedIndex];
      if (chosen && chosen.parentNode.disabled) { kel.value = ""; }
    };
    kec.addEventListener("change", narrow);
    narrow();
  }
  var button = document.getElementById("use-location");
  if (button && "geolocation" in navigator) {
    // Offline-friendly "map pin": the browser's own position fills the coordinate fields.
    button.parentNode.hidden = false;
    var status = document.getElementById("geo-status");
    button.addEventListener("click", function () {
      status.textContent = button.dataset.wait || "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
        status.textContent = button.dataset.ok || "✓";
      }, function () {
        status.textContent = button.dataset.fail || "✗";
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
})();
