"""Standards the rules cite, written once so every rule quotes them the same way."""

ETSI_5_3_7 = (
    "ETSI EN 303 645 provision 5.3-7: the device uses best-practice cryptography to "
    "facilitate secure update mechanisms"
)
ETSI_5_3_8 = "ETSI EN 303 645 provision 5.3-8: security updates are timely"
ETSI_5_3_9 = (
    "ETSI EN 303 645 provision 5.3-9: the device verifies the authenticity and integrity of "
    "software updates"
)
ETSI_5_3_10 = (
    "ETSI EN 303 645 provision 5.3-10: updates delivered over a network interface are "
    "verified through a trust relationship"
)
NIST_8259A_UPDATE = (
    "NIST IR 8259A, device capability 'Software Update': updates are verified and "
    "authenticated before installation; only authorised entities can update"
)
OWASP_I4 = (
    "OWASP IoT Top 10 (2018) I4 'Lack of Secure Update Mechanism': missing firmware "
    "validation, unencrypted delivery, no anti-rollback"
)
IOT_LENS_REL08 = (
    "AWS Well-Architected IoT Lens IOTREL08-BP01: updates are controlled and reversible "
    "(version firmware in S3, sign it)"
)
IOT_LENS_OPS09 = (
    "AWS Well-Architected IoT Lens IOTOPS09-BP01: proceed with a rollout only after a share "
    "of devices has succeeded"
)
FREERTOS_SIGNING = (
    "FreeRTOS OTA security guidance: code-signing certificates carry the Code Signing "
    "extended key usage; self-signed certificates are for testing only"
)
AWS_JOBS_ROLLOUT = "AWS IoT Jobs developer guide, job rollout, scheduling and abort configurations"
AWS_PRESIGNED = (
    "AWS IoT API reference, AwsJobPresignedUrlConfig.expiresInSec: 60-3600 seconds, default 1800"
)
S3_VERSIONING = (
    "Amazon S3 user guide, versioning: a request without a version ID gets whichever object "
    "was last written under the key"
)
IOT_ARNS = (
    "AWS IoT developer guide, IoT resource ARNs: arn:<partition>:iot:<region>:<account>:"
    "thing/<thingName> and arn:<partition>:iot:<region>:<account>:thinggroup/<thingGroupName>"
)
JOBS_INCREMENT_FACTOR = (
    "AWS IoT API reference, ExponentialRolloutRate.incrementFactor: 1.1-5.0, with one digit "
    "after the decimal point (1.5, not 1.55)"
)
JOBS_TIMEOUT = (
    "AWS IoT Jobs developer guide, job execution timeouts: inProgressTimeoutInMinutes "
    "1-10080; an execution that overruns it becomes TIMED_OUT"
)
TARGET_SELECTION = (
    "AWS IoT API reference, CreateOTAUpdate.targetSelection: with CONTINUOUS the job also runs "
    "on things added to a target group after it was created"
)
AWS_JOBS_FORCE_CANCEL = (
    "AWS IoT API reference, CancelJob.force: canceling a job whose executions are IN_PROGRESS "
    "leaves the devices running them unable to update their execution status; each must be "
    "able to recover to a valid state"
)
RFC_5280_VALIDITY = (
    "RFC 5280 section 4.1.2.5: a certificate is valid from notBefore through notAfter, both "
    "inclusive"
)
NIST_800_131A = (
    "NIST SP 800-131A Rev. 2: RSA and DSA keys under 2048 bits and elliptic curves under "
    "224 bits are disallowed for generating digital signatures"
)
AWS_SIGNER_JOB = (
    "AWS Signer API reference, DescribeSigningJob: status InProgress, Failed or Succeeded "
    "with a statusReason, the revocationRecord of a revoked signature, and signatureExpiresAt"
)
AWS_SIGNER_REVOCATION = (
    "AWS Signer API reference, RevokeSignature and RevokeSigningProfile: a revoked job's "
    "signature is no longer valid, nor are a revoked profile's signatures made after its "
    "effective time"
)
AWS_SIGNER_PROFILE = (
    "AWS Signer API reference, GetSigningProfile and CancelSigningProfile: status Active, "
    "Canceled or Revoked; a canceled profile can run no new signing jobs"
)
ACM_CERTIFICATE = (
    "AWS Certificate Manager API reference, CertificateDetail: Status (ISSUED, EXPIRED, "
    "REVOKED, INACTIVE, ...), RevokedAt, NotBefore, NotAfter and ExtendedKeyUsages "
    "(CODE_SIGNING, ...)"
)
AWS_IOT_STREAM = (
    "AWS IoT API reference, DescribeStream: a stream's files, each a fileId with the S3 "
    "location (bucket, key, version) it is read from"
)
S3_DELETED_VERSION = (
    "Amazon S3 user guide, deleting object versions: a version deleted permanently can no "
    "longer be read, and a request for a delete marker's version gets 405 Method Not Allowed"
)
