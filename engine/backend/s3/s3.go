// Package s3 stores a repository in an S3-compatible bucket (Amazon S3,
// MinIO, Ceph, Wasabi, Versity Gateway, …) through github.com/minio/minio-go.
//
// An S3 PUT is atomic (the object appears only when the upload completed), so
// Save needs no temporary name: an interrupted upload leaves nothing, or at
// worst an incomplete multipart upload that is invisible to List (set a
// lifecycle rule on the bucket to abort those after a day).
//
// Credentials come from the environment (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, or MINIO_ACCESS_KEY/MINIO_SECRET_KEY) or from
// ~/.aws/credentials; they are never part of a location string.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"cadang/engine/backend"
)

// Options say which bucket and how to reach it.
type Options struct {
	Endpoint string // host:port
	Bucket   string
	Prefix   string // folder inside the bucket, may be ""
	Region   string // "" lets the server decide
	// Insecure uses plain HTTP (a server on the local network or loopback).
	Insecure bool
	// AccessKey and SecretKey override the environment and ~/.aws/credentials.
	AccessKey, SecretKey string
}

// Backend is a repository under a prefix of an S3 bucket.
type Backend struct {
	opt    Options
	client *minio.Client
	prefix string // "" or ends with "/"
}

var _ backend.Backend = (*Backend)(nil)

// Open connects to the endpoint and creates the bucket when it is missing.
func Open(ctx context.Context, opt Options) (*Backend, error) {
	if opt.Endpoint == "" || opt.Bucket == "" {
		return nil, errors.New("s3: an endpoint and a bucket are required (s3://host:port/bucket/prefix)")
	}
	creds := credentials.NewChainCredentials([]credentials.Provider{
		&credentials.EnvAWS{},
		&credentials.EnvMinio{},
		&credentials.FileAWSCredentials{},
	})
	if opt.AccessKey != "" {
		creds = credentials.NewStaticV4(opt.AccessKey, opt.SecretKey, "")
	}
	client, err := minio.New(opt.Endpoint, &minio.Options{
		Creds:  creds,
		Secure: !opt.Insecure,
		Region: opt.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: %s: %w", opt.Endpoint, err)
	}
	b := &Backend{opt: opt, client: client, prefix: strings.Trim(opt.Prefix, "/")}
	if b.prefix != "" {
		b.prefix += "/"
	}
	if err := b.ensureBucket(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Backend) ensureBucket(ctx context.Context) error {
	ok, err := b.client.BucketExists(ctx, b.opt.Bucket)
	if err != nil {
		return fmt.Errorf("s3: bucket %s on %s: %w%s", b.opt.Bucket, b.opt.Endpoint, err, hint(err))
	}
	if ok {
		return nil
	}
	err = b.client.MakeBucket(ctx, b.opt.Bucket, minio.MakeBucketOptions{Region: b.opt.Region})
	if err != nil {
		// Two jobs opening a new bucket at once: the one that lost the race
		// finds it there (BucketAlreadyOwnedByYou, or the server's own code).
		if exists, xerr := b.client.BucketExists(ctx, b.opt.Bucket); xerr == nil && exists {
			return nil
		}
		return fmt.Errorf("s3: create bucket %s on %s: %w%s", b.opt.Bucket, b.opt.Endpoint, err, hint(err))
	}
	return nil
}

// hint tells a person what to do about the usual set-up mistakes.
func hint(err error) string {
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "InvalidAccessKeyId" || resp.Code == "SignatureDoesNotMatch" || resp.StatusCode == http.StatusForbidden:
		return " (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials)"
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return " (the server speaks plain HTTP: use s3+http://)"
	}
	return ""
}

// Location is s3://endpoint/bucket/prefix (s3+http:// for plain HTTP).
func (b *Backend) Location() string {
	scheme := "s3"
	if b.opt.Insecure {
		scheme = "s3+http"
	}
	return strings.TrimSuffix(fmt.Sprintf("%s://%s/%s/%s", scheme, b.opt.Endpoint, b.opt.Bucket, b.prefix), "/")
}

// Close releases nothing: the HTTP client keeps no session.
func (b *Backend) Close() error { return nil }

func (b *Backend) key(name string) (string, error) {
	clean := path.Clean(name)
	if name == "" || clean != name || strings.HasPrefix(name, "/") || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("invalid repository file name %q", name)
	}
	return b.prefix + name, nil
}

// Save uploads rd as one object; S3 makes it visible only when complete.
func (b *Backend) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key, err := b.key(name)
	if err != nil {
		return err
	}
	info, err := b.client.PutObject(ctx, b.opt.Bucket, key, rd, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("save %s: %w", name, err)
	}
	if size >= 0 && info.Size != size {
		return fmt.Errorf("save %s: stored %d bytes, expected %d", name, info.Size, size)
	}
	return nil
}

// Load opens name; the returned object also implements io.ReaderAt (ranged GETs).
func (b *Backend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	key, err := b.key(name)
	if err != nil {
		return nil, err
	}
	obj, err := b.client.GetObject(ctx, b.opt.Bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, b.wrap("load", name, err)
	}
	// GetObject is lazy: ask now so a missing file fails here, not on Read.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		return nil, b.wrap("load", name, err)
	}
	return obj, nil
}

// Stat returns the size of name.
func (b *Backend) Stat(ctx context.Context, name string) (backend.FileInfo, error) {
	key, err := b.key(name)
	if err != nil {
		return backend.FileInfo{}, err
	}
	info, err := b.client.StatObject(ctx, b.opt.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return backend.FileInfo{}, b.wrap("stat", name, err)
	}
	return backend.FileInfo{Name: name, Size: info.Size}, nil
}

// List reports the objects whose names start with prefix.
func (b *Backend) List(ctx context.Context, prefix string, fn func(backend.FileInfo) error) error {
	ctx, cancel := context.WithCancel(ctx) // stops the lister when fn fails
	defer cancel()
	for obj := range b.client.ListObjects(ctx, b.opt.Bucket, minio.ListObjectsOptions{
		Prefix:    b.prefix + prefix,
		Recursive: true,
	}) {
		if obj.Err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("list %s: %w", prefix, obj.Err)
		}
		if strings.HasSuffix(obj.Key, "/") { // folder markers some tools create
			continue
		}
		if err := fn(backend.FileInfo{Name: strings.TrimPrefix(obj.Key, b.prefix), Size: obj.Size}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Remove deletes name. S3 deletes are idempotent, so a missing object is
// detected with a Stat first.
func (b *Backend) Remove(ctx context.Context, name string) error {
	if _, err := b.Stat(ctx, name); err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	key, _ := b.key(name)
	if err := b.client.RemoveObject(ctx, b.opt.Bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return b.wrap("remove", name, err)
	}
	return nil
}

func (b *Backend) wrap(op, name string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s %s: %w", op, name, backend.ErrNotFound)
	}
	return fmt.Errorf("%s %s: %w%s", op, name, err, hint(err))
}
