"""Pages under /me/ (the person's own) and under /<network>/ (members' and coordinators')."""

from django.urls import path

from members.views import (
    apply,
    cards,
    directory,
    endorse,
    export,
    invitations,
    me,
    photos,
    profile,
    review,
    roster,
    setup,
)

app_name = "members"
urlpatterns = [
    path("", me.me, name="me"),
    path("profile/", profile.profile_edit, name="profile"),
    path(
        "applications/<int:application_id>/withdraw/",
        apply.application_withdraw,
        name="application_withdraw",
    ),
    path("applications/withdrawn/undo/", apply.application_withdraw_undo, name="withdraw_undo"),
]

# /people/<id>/…: a person as others see them (only the photo for now).
people_urlpatterns = [path("<int:user_id>/photo/", photos.profile_photo, name="profile_photo")]
card_urlpatterns = [path("<str:token>/", cards.card_verify, name="card_verify")]
invite_urlpatterns = [
    path("<str:token>/", invitations.invitation_accept, name="invitation_accept"),
]

# Included under /<network>/ next to networks' own pages; names are global (no namespace).
network_urlpatterns = [
    path("apply/", apply.apply, name="apply"),
    path("members/", directory.directory, name="directory"),
    path("members/applicants/", endorse.applicant_list, name="applicants"),
    path(
        "members/applicants/<int:application_id>/endorse/",
        endorse.applicant_endorse,
        name="applicant_endorse",
    ),
    path("manage/members/", roster.roster, name="manage_members"),
    path("manage/applications/", review.queue, name="manage_applications"),
    path("manage/applications/bulk/", review.bulk_decide, name="manage_applications_bulk"),
    path("manage/applications/undo/", review.undo, name="manage_applications_undo"),
    path(
        "manage/applications/<int:application_id>/decide/",
        review.decide,
        name="manage_application_decide",
    ),
    path("members/invite/", invitations.member_invite, name="member_invite"),
    path("manage/invitations/", invitations.manage_invitations, name="manage_invitations"),
    path("manage/invitations/upload/", invitations.invitation_upload, name="invitation_upload"),
    path(
        "manage/invitations/batches/<int:batch_id>/",
        invitations.invitation_batch,
        name="invitation_batch",
    ),
    path(
        "manage/invitations/batches/<int:batch_id>/confirm/",
        invitations.invitation_batch_confirm,
        name="invitation_batch_confirm",
    ),
    path(
        "manage/invitations/<int:invitation_id>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "manage/invitations/<int:invitation_id>/resend/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path("manage/questions/", setup.questions, name="manage_questions"),
    path("manage/settings/", setup.intake_settings, name="manage_settings"),
    path("manage/members.csv", export.members_csv, name="manage_members_csv"),
    path(
        "manage/members/<int:membership_id>/renew/",
        cards.membership_renew,
        name="manage_membership_renew",
    ),
]
