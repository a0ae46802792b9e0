"""The portal's URLs, mounted at "/" (namespace ``aduan_publik:portal``). Paths are Indonesian."""

from django.urls import path

from ..broadcasts import public as information
from .views import complaint, public, subscribe, track

app_name = "portal"

urlpatterns = [
    path("", complaint.home, name="home"),
    path("aduan/baru/", complaint.complaint_new, name="complaint_new"),
    path("aduan/terkirim/<str:token>/", complaint.complaint_done, name="complaint_done"),
    path("lacak/", track.track, name="track"),
    path("lacak/berkas/<int:pk>/", track.attachment, name="track_attachment"),
    path("lacak/<str:number>/", track.track_detail, name="track_detail"),
    path("lacak/<str:number>/balas/", track.reply, name="track_reply"),
    path("lacak/<str:number>/nilai/", track.rate, name="track_rate"),
    path("lacak/<str:number>/buka-kembali/", track.reopen, name="track_reopen"),
    path("publik/", public.complaint_list, name="public_list"),
    path("publik/berkas/<int:pk>/", public.attachment, name="public_attachment"),
    path("publik/<str:number>/", public.complaint_detail, name="public_detail"),
    path("statistik/", public.statistics, name="statistics"),
    path("informasi/", information.information_list, name="information"),
    path("informasi/feed.atom", information.InformationFeed(), name="information_feed"),
    path("informasi/<int:pk>/", information.information_detail, name="information_detail"),
    path("informasi/<int:pk>/berkas/", information.information_media, name="information_media"),
    path("langganan/", subscribe.subscribe, name="subscribe"),
    path("langganan/berhenti/", subscribe.unsubscribe, name="unsubscribe"),
    path("langganan/berhenti/<str:token>/", subscribe.unsubscribe_link, name="unsubscribe_link"),
]
