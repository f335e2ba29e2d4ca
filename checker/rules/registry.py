"""Every rule, listed explicitly: no registration by import side effect.

`ota-drift rules`, docs/rules.md, policies/default.yaml, policy-pack validation and the reports
all read this list. A rule is one module `checker/rules/otaNNN_*.py` and one line here (a test,
tests/rules/test_contract.py, checks every such module is listed).
"""

from __future__ import annotations

from checker.rules.interface import Rule, RuleMeta
from checker.rules.ota001_changed import CHANGED
from checker.rules.ota002_missing import MISSING
from checker.rules.ota003_unmanaged import UNMANAGED
from checker.rules.ota004_not_verifiable import NOT_VERIFIABLE
from checker.rules.ota005_computed import COMPUTED
from checker.rules.ota101_code_signing import CodeSigningMissing
from checker.rules.ota102_signing_algorithms import SigningAlgorithmNotAllowed
from checker.rules.ota103_custom_signing_incomplete import CustomSigningIncomplete
from checker.rules.ota104_signing_profile import SigningProfileNotAllowed
from checker.rules.ota105_chain_unreadable import ChainUnreadable
from checker.rules.ota106_chain_validity import CertificateOutsideValidity
from checker.rules.ota107_chain_expiring import CertificateExpiringSoon
from checker.rules.ota108_chain_code_signing_usage import LeafNotForCodeSigning
from checker.rules.ota109_chain_self_signed import LeafSelfSigned
from checker.rules.ota110_chain_weak_key import WeakKey
from checker.rules.ota111_chain_hash_mismatch import HashAlgorithmMismatch
from checker.rules.ota121_signing_job_status import SigningJobNotSucceeded
from checker.rules.ota122_signing_job_revoked import SigningJobRevoked
from checker.rules.ota123_signature_expiring import SignatureExpiring
from checker.rules.ota124_signing_profile_status import SigningProfileStopped
from checker.rules.ota125_profile_revoked_before_signature import SignedAfterProfileRevocation
from checker.rules.ota126_certificate_status import CertificateNotIssued
from checker.rules.ota127_certificate_expired import CertificateExpired
from checker.rules.ota128_certificate_expiring import CertificateExpiring
from checker.rules.ota129_certificate_code_signing_usage import CertificateNotForCodeSigning
from checker.rules.ota201_presigned_url_range import PresignedUrlExpiryOutOfRange
from checker.rules.ota202_presigned_url_expiry import PresignedUrlExpiryTooLong
from checker.rules.ota203_presigned_url_implicit import PresignedUrlExpiryImplicit
from checker.rules.ota204_presigned_url_unused import PresignedUrlExpiryUnused
from checker.rules.ota301_rollout_limit import RolloutUnlimited
from checker.rules.ota302_rollout_rate import RolloutRateTooHigh
from checker.rules.ota303_increment_factor import IncrementFactorTooHigh
from checker.rules.ota304_increment_factor import IncrementFactorInvalid
from checker.rules.ota305_rate_increase_criteria import RateGrowsOnNotificationsAlone
from checker.rules.ota306_abort_config import AbortOnFailureMissing
from checker.rules.ota307_timeout_config import InProgressTimeoutMissing
from checker.rules.ota401_continuous_targeting import ContinuousTargetSelection
from checker.rules.ota402_s3_version import S3VersionMissing
from checker.rules.ota403_target_arn import TargetArnMalformed
from checker.rules.ota404_target_partition import TargetInAnotherPartition
from checker.rules.ota405_firmware_version_gone import FirmwareVersionGone
from checker.rules.ota406_stream_file_missing import StreamFileMissing
from checker.rules.ota501_failed_status import UpdateFailed
from checker.rules.ota502_stuck_pending import UpdateStuckPending
from checker.rules.ota503_job_stopped import JobStoppedWhileComplete
from checker.rules.ota504_job_force_canceled import JobForceCanceled
from checker.rules.ota505_rollout_failures import RolloutFailing
from checker.rules.ota900_expired_suppression import EXPIRED_SUPPRESSION

CONFIG_RULES: tuple[Rule, ...] = (
    CodeSigningMissing(),
    SigningAlgorithmNotAllowed(),
    CustomSigningIncomplete(),
    SigningProfileNotAllowed(),
    ChainUnreadable(),
    CertificateOutsideValidity(),
    CertificateExpiringSoon(),
    LeafNotForCodeSigning(),
    LeafSelfSigned(),
    WeakKey(),
    HashAlgorithmMismatch(),
    SigningJobNotSucceeded(),
    SigningJobRevoked(),
    SignatureExpiring(),
    SigningProfileStopped(),
    SignedAfterProfileRevocation(),
    CertificateNotIssued(),
    CertificateExpired(),
    CertificateExpiring(),
    CertificateNotForCodeSigning(),
    PresignedUrlExpiryOutOfRange(),
    PresignedUrlExpiryTooLong(),
    PresignedUrlExpiryImplicit(),
    PresignedUrlExpiryUnused(),
    RolloutUnlimited(),
    RolloutRateTooHigh(),
    IncrementFactorTooHigh(),
    IncrementFactorInvalid(),
    RateGrowsOnNotificationsAlone(),
    AbortOnFailureMissing(),
    InProgressTimeoutMissing(),
    ContinuousTargetSelection(),
    S3VersionMissing(),
    TargetArnMalformed(),
    TargetInAnotherPartition(),
    FirmwareVersionGone(),
    StreamFileMissing(),
    UpdateFailed(),
    UpdateStuckPending(),
    JobStoppedWhileComplete(),
    JobForceCanceled(),
    RolloutFailing(),
)
"""Rules that check one OTA config, in ID order (`checker.evaluate` runs them)."""

OTHER_RULES: tuple[RuleMeta, ...] = (
    CHANGED,  # raised by checker.drift.compare
    MISSING,
    UNMANAGED,
    NOT_VERIFIABLE,
    COMPUTED,  # raised by checker.drift.compare and checker.evaluate
    EXPIRED_SUPPRESSION,  # raised by checker.policy.apply
)
"""Rules raised by a stage of their own, not by a config check: drift and OTA900."""

ALL_RULES: tuple[RuleMeta, ...] = tuple(
    sorted(
        (*(rule.meta for rule in CONFIG_RULES), *OTHER_RULES),
        key=lambda meta: meta.rule_id,
    )
)
META_BY_ID: dict[str, RuleMeta] = {meta.rule_id: meta for meta in ALL_RULES}
