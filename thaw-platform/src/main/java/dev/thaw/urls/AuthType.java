package dev.thaw.urls;

/** Who may call a Function URL: anyone ({@code NONE}) or callers with a valid SigV4 signature ({@code AWS_IAM}). */
public enum AuthType {
    NONE, AWS_IAM
}
