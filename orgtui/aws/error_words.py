"""What AWS's refusals mean, in words a person can act on: each reason of
ConstraintViolationException and of HandshakeConstraintViolationException, and each error
code (or group of codes), as (what happened, what to do). `aws/errors.translate` picks
the words for a failure; this module only holds them.
"""

from __future__ import annotations

from orgtui.aws.codes import CONCURRENT, DENIED, THROTTLE, UNCERTAIN

# ConstraintViolationException reasons, as (what happened, what to do).
REASONS: dict[str, tuple[str, str]] = {
    "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION": (
        "AWS refused: the account has not completed phone verification.",
        "Sign in to the account as its root user, complete phone verification, then try again.",
    ),
    "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA": (
        "AWS refused: the account has not accepted the AWS Customer Agreement.",
        "Sign in to the account as its root user and accept the customer agreement, then "
        "try again.",
    ),
    "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED": (
        "AWS refused: the account has no payment method.",
        "Sign in to the account as its root user and add a payment method (Billing > "
        "Payment methods), then try again.",
    ),
    "INVALID_PAYMENT_INSTRUMENT": (
        "AWS refused: the account's payment method is not valid.",
        "Sign in to the account as its root user and add a valid payment method, then try again.",
    ),
    "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG": (
        "AWS refused: the account is a delegated administrator.",
        "Deregister it as delegated administrator for each of its services (organizations "
        "deregister-delegated-administrator), then try again.",
    ),
    "ACCOUNT_CANNOT_LEAVE_ORGANIZATION": (
        "AWS refused: the management account can't leave the organization.",
        "Remove the member accounts instead; the management account stays.",
    ),
    "WAIT_PERIOD_ACTIVE": (
        "AWS refused: the account was created less than four days ago.",
        "Wait until four days after its creation, then try again.",
    ),
    "CREATED_ACCOUNT_WAIT_PERIOD_ACTIVE": (
        "AWS refused: the account was created less than four days ago.",
        "Wait until four days after its creation, then try again.",
    ),
    "ACCOUNT_CREATION_NOT_COMPLETE": (
        "AWS refused: the account is still being created.",
        "Wait until its creation completes, then reload and try again.",
    ),
    "CLOSE_ACCOUNT_QUOTA_EXCEEDED": (
        "AWS refused: the organization has closed as many accounts as it may in the rolling "
        "30 days (the higher of 250 or 20% of its member accounts, at most 1,000).",
        "Wait until older closures leave the 30-day window, or ask AWS Support to raise the "
        "quota; move the account to a Suspended OU meanwhile.",
    ),
    "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED": (
        "AWS refused: too many accounts are being closed at once.",
        "Wait until the accounts now closing are SUSPENDED (reload to see), then try again.",
    ),
    "CANNOT_CLOSE_MANAGEMENT_ACCOUNT": (
        "AWS refused: the management account can't be closed through Organizations.",
        "Close the member accounts instead; the management account is closed only after "
        "the organization is deleted, from its own root user.",
    ),
    "MASTER_ACCOUNT_MISSING_CONTACT_INFO": (
        "AWS refused: the management account has no contact information.",
        "Add contact information to the management account, then try again.",
    ),
}

# ConstraintViolationException reasons an invitation or its acceptance may meet.
REASONS.update(
    {
        "ACCOUNT_NUMBER_LIMIT_EXCEEDED": (
            "AWS refused: the organization has as many accounts as its quota allows (closed "
            "accounts still count for 90 days).",
            "Ask AWS Support (Service Quotas, AWS Organizations) to raise the number of "
            "accounts, or remove accounts first; right after creating the organization, wait "
            "an hour and try again.",
        ),
        "HANDSHAKE_RATE_LIMIT_EXCEEDED": (
            "AWS refused: the organization has sent as many invitations today as AWS allows.",
            "Wait a day and invite the rest then; each invitation already sent stays open "
            "for 15 days.",
        ),
        "MAX_TAG_LIMIT_EXCEEDED": (
            "AWS refused: the invitation's tags exceed what AWS allows on an account (50).",
            "Drop some tags from the invitation (or from the hand-over file), then try again.",
        ),
        "TAG_POLICY_VIOLATION": (
            "AWS refused: the invitation's tags break a tag policy of this organization.",
            "Fix the tags to match the organization's tag policies (or the policy), then "
            "invite again.",
        ),
        "MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED": (
            "AWS refused: the management account has no payment method.",
            "Add a payment method to the management account (Billing > Payment methods), "
            "then try again.",
        ),
        "MASTER_ACCOUNT_ADDRESS_DOES_NOT_MATCH_MARKETPLACE": (
            "AWS refused: the management account's address does not match the AWS "
            "marketplace the account belongs to (its seller of record).",
            "Check the management account's contact address, or ask AWS Support; accounts "
            "of another seller of record can't join.",
        ),
        "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED": (
            "AWS refused: the management account is not enabled for AWS GovCloud (US).",
            "Enable GovCloud for the management account first, or invite from an "
            "organization in the same partition as the account.",
        ),
        "MASTER_ACCOUNT_MISSING_BUSINESS_LICENSE": (
            "AWS refused: the management account has no business license on file (required "
            "in its country).",
            "Add the business license to the management account, then try again.",
        ),
        "EMAIL_VERIFICATION_CODE_EXPIRED": (
            "AWS refused: the management account's email verification code expired.",
            "Verify the management account's email address again (AWS sends a new code), "
            "then try again.",
        ),
        "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE": (
            "AWS refused: the organization does not have all features enabled.",
            "Enable all features in the organization, then try again.",
        ),
    }
)

# HandshakeConstraintViolationException reasons (InviteAccountToOrganization,
# AcceptHandshake), as (what happened, what to do). Every reason of the API model.
HANDSHAKE_REASONS: dict[str, tuple[str, str]] = {
    "ACCOUNT_NUMBER_LIMIT_EXCEEDED": REASONS["ACCOUNT_NUMBER_LIMIT_EXCEEDED"],
    "HANDSHAKE_RATE_LIMIT_EXCEEDED": REASONS["HANDSHAKE_RATE_LIMIT_EXCEEDED"],
    "ALREADY_IN_AN_ORGANIZATION": (
        "AWS refused: the account is already a member of an organization that can't hand it "
        "over directly.",
        "Have the account leave its organization first (or its management account remove "
        "it), then invite it again.",
    ),
    "ORGANIZATION_ALREADY_HAS_ALL_FEATURES": (
        "AWS refused: the organization has already enabled all features.",
        "Nothing to do for this request; reload (ctrl+r) to see the organization as it is.",
    ),
    "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION": (
        "AWS refused: the organization has already started enabling all features.",
        "Wait until every member has approved the change (or cancel it), then try again.",
    ),
    "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES": (
        "AWS refused: no invitation can be sent while the organization is enabling all features.",
        "Finish enabling all features (every member approves, then finalize), then invite again.",
    ),
    "PAYMENT_INSTRUMENT_REQUIRED": (
        "AWS refused: an account taking part has no payment method (such as a credit card).",
        "Add a payment method (Billing > Payment methods) to the account that lacks one, as "
        "its root user, then try again.",
    ),
    "ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD": (
        "AWS refused: the account and the organization belong to different AWS sellers of "
        "record (partitions or marketplaces such as AWS India).",
        "An account can join only an organization of the same seller of record; ask AWS "
        "Support about moving it.",
    ),
    "ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED": (
        "AWS refused: the account changed organizations too recently.",
        "Wait before trying again (AWS limits how often an account may join or leave an "
        "organization); the invitation stays open for 15 days.",
    ),
    "MANAGEMENT_ACCOUNT_EMAIL_NOT_VERIFIED": (
        "AWS refused: the management account's email address is not verified.",
        "Verify the management account's email address (AWS sends a verification email; "
        "see Email address verification in the Organizations User Guide), then try again.",
    ),
    "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS": (
        "AWS refused: a billing transfer is already in progress for this account.",
        "Finish or cancel the billing transfer, then try again.",
    ),
    "SOURCE_AND_TARGET_CANNOT_MATCH": (
        "AWS refused: the account would be both the sender and the recipient of the invitation.",
        "Invite a different account: an organization can't invite its own management account.",
    ),
    "UNUSED_PREPAYMENT_BALANCE": (
        "AWS refused: the organization has an unused prepayment balance.",
        "Settle the prepayment balance with AWS (Billing), then try again.",
    ),
    "LEGACY_PERMISSIONS_STILL_IN_USE": (
        "AWS refused: the organization still uses the legacy billing permissions.",
        "Migrate to the fine-grained IAM actions for billing, cost management and accounts, "
        "then try again.",
    ),
    "PAST_DUE_INVOICE": (
        "AWS refused: the organization has a past-due invoice.",
        "Pay the past-due invoice (Billing > Bills), then try again.",
    ),
    "TARGET_ACCOUNT_VALIDATION_FAILURE": (
        "AWS refused: AWS could not validate the target account for this transfer.",
        "Ask your billing administrator or AWS Support about the account, then try again.",
    ),
}

# Error codes (or groups of them) in words: (what happened, what to do). Templates may
# use {operation}, {service}, {code}, {message} (" (the message)") and {detail} (": the
# message" or ""). ConstraintViolationException is worded by its Reason (REASONS).
_MANAGEMENT_CANNOT_LEAVE = (
    "AWS refused: the management account can't leave the organization.",
    "Remove the member accounts instead; the management account stays.",
)
CODE_WORDS: tuple[tuple[frozenset[str], tuple[str, str]], ...] = (
    (frozenset({"MasterCannotLeaveOrganizationException"}), _MANAGEMENT_CANNOT_LEAVE),
    (
        DENIED,
        (
            "Access denied to {service}:{operation}{message}.",
            "Grant {service}:{operation} to your role (see the IAM policies in the README), or "
            "use the management account's credentials.",
        ),
    ),
    (
        frozenset({"AWSOrganizationsNotInUseException"}),
        (
            "This account is not a member of an organization (AWS Organizations is not in use).",
            "Use credentials of an account that belongs to an organization, ideally its "
            "management account.",
        ),
    ),
    (
        frozenset({"AccountNotFoundException"}),
        (
            "The account is not in the organization (it may already have been removed).",
            "Reload (ctrl+r) to see the organization as it is now.",
        ),
    ),
    (
        THROTTLE,
        (
            "AWS kept throttling {operation} after every retry.",
            "Wait a minute and try again, or lower --concurrency.",
        ),
    ),
    (
        frozenset({CONCURRENT}),
        (
            "Another change to the organization was in progress; {operation} gave up after "
            "several retries.",
            "Wait for the other change to finish, then try again.",
        ),
    ),
    (
        UNCERTAIN,
        (
            "AWS had an internal error during {operation}.",
            "Try again in a moment; if it persists, check the AWS Health Dashboard.",
        ),
    ),
    (
        frozenset({"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"}),
        (
            "AWS did not accept your credentials.",
            "Check the access key and secret (aws configure list), or choose another --profile.",
        ),
    ),
    (
        frozenset({"AccountAlreadyClosedException"}),
        (
            "The account is already closed (SUSPENDED).",
            "Nothing to do: reload (ctrl+r) to see its state.",
        ),
    ),
    (
        frozenset({"ConflictException"}),
        (
            "AWS is already changing the account ({operation} conflicts with a request in "
            "progress, such as a closure already under way){message}.",
            "Wait a few minutes, reload (ctrl+r) to see its state, then try again if needed.",
        ),
    ),
    (
        frozenset({"DuplicateAccountException"}),
        (
            "The account is already in that OU.",
            "Nothing to do: reload (ctrl+r) if the tree shows it elsewhere.",
        ),
    ),
    (
        frozenset({"SourceParentNotFoundException"}),
        (
            "The account is no longer where the view shows it: it was moved meanwhile.",
            "Reload (ctrl+r) to see where it is now, then move it again if needed.",
        ),
    ),
    (
        frozenset({"DestinationParentNotFoundException", "ParentNotFoundException"}),
        (
            "The OU to move the account to no longer exists.",
            "Reload (ctrl+r) to see the organization's OUs, then pick another.",
        ),
    ),
    (
        frozenset({"DuplicateHandshakeException"}),
        (
            "AWS refused: an invitation for this account is already open{message}.",
            "Wait for the account to accept or decline it (the I screen lists it), or cancel "
            "it first if you mean to send a new one.",
        ),
    ),
    (
        frozenset({"AccountOwnerNotVerifiedException"}),
        (
            "AWS refused: the management account's email address is not verified yet, and "
            "an organization can't invite existing accounts until it is.",
            "Verify the management account's email address (see Email address verification "
            "in the Organizations User Guide), then invite again.",
        ),
    ),
    (
        frozenset({"FinalizingOrganizationException"}),
        (
            "AWS refused: the organization has not finished initializing (this can take up "
            "to an hour).",
            "Try again in an hour; if it persists, contact AWS Support.",
        ),
    ),
    (
        frozenset({"AccessDeniedForDependencyException"}),
        (
            "AWS refused {operation}: your role may not create the service-linked role "
            "AWS Organizations needs (iam:CreateServiceLinkedRole for "
            "organizations.amazonaws.com){message}.",
            "Grant iam:CreateServiceLinkedRole for organizations.amazonaws.com to your role, "
            "then try again.",
        ),
    ),
    (
        frozenset({"HandshakeNotFoundException"}),
        (
            "The invitation was not found (it may have been canceled, or it is for another "
            "account).",
            "Reload (ctrl+r) to see the open invitations for this account.",
        ),
    ),
    (
        frozenset({"HandshakeAlreadyInStateException"}),
        (
            "The invitation is already in the state asked for (for example, already "
            "accepted){message}.",
            "Nothing to do: reload (ctrl+r) to see the organization as it is now.",
        ),
    ),
    (
        frozenset({"InvalidHandshakeTransitionException"}),
        (
            "The invitation can no longer be answered: it was canceled, declined or has "
            "expired{message}.",
            "Ask the inviting organization's management account to send a new invitation.",
        ),
    ),
    (
        frozenset({"InvalidInputException"}),
        (
            "AWS rejected the input to {operation}{detail}.",
            "Check the account id (exactly 12 digits) and try again.",
        ),
    ),
)
