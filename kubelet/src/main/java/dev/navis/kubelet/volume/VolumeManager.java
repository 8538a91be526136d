package dev.navis.kubelet.volume;

import dev.navis.kubelet.env.FieldRefs;
import dev.navis.kubelet.env.ObjectSource;
import dev.navis.kubelet.util.Quantities;
import dev.navis.kubelet.volume.AtomicWriter.FileProjection;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Prepares a pod's volumes on the host, in upstream's layout
 * ({@code <root>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>}): emptyDir (tmpfs for medium Memory,
 * sized by sizeLimit), hostPath (with its type checks), persistentVolumeClaim (a bound claim's hostPath or local
 * volume, see {@link ClaimVolumes}), and configMap, secret, downwardAPI and projected (with serviceAccountToken
 * sources from {@link ServiceAccountTokenSource}) written through {@link AtomicWriter} so that every sync brings
 * running pods the newest contents, and renewed tokens.
 */
public final class VolumeManager {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeManager.class);
    private static final int DEFAULT_MODE = 0644;

    /** A volume could not be set up; the message follows upstream's MountVolume.SetUp failures. */
    public static class VolumeException extends Exception {
        public VolumeException(String message) {
            super(message);
        }
    }

    private final Path podsDir;
    private final ObjectSource objects;
    private final Mounter mounter;
    private final Supplier<Map<String, Quantity>> nodeAllocatable;

    private final ServiceAccountTokenSource tokens;

    /** Without service-account tokens: serviceAccountToken projections fail to set up. */
    public VolumeManager(Path rootDir, ObjectSource objects, Mounter mounter,
                         Supplier<Map<String, Quantity>> nodeAllocatable) {
        this(rootDir, objects, mounter, nodeAllocatable, null);
    }

    public VolumeManager(Path rootDir, ObjectSource objects, Mounter mounter,
                         Supplier<Map<String, Quantity>> nodeAllocatable, ServiceAccountTokenSource tokens) {
        this.podsDir = rootDir.resolve("pods");
        this.objects = objects;
        this.mounter = mounter;
        this.nodeAllocatable = nodeAllocatable;
        this.tokens = tokens;
    }

    public Path podDir(String uid) {
        return podsDir.resolve(uid);
    }

    /** Sets up (or refreshes) every volume of the pod; volume name → host path. */
    public Map<String, Path> prepare(Pod pod, PodStatus status) throws VolumeException {
        Map<String, Path> paths = new LinkedHashMap<>();
        List<Volume> volumes = pod.getSpec().getVolumes();
        if (volumes == null) {
            return paths;
        }
        for (Volume v : volumes) {
            try {
                paths.put(v.getName(), prepare(pod, v, status));
            } catch (ClaimVolumes.ClaimNotReady e) {
                throw e;
            } catch (VolumeException e) {
                throw new VolumeException("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                throw new VolumeException("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : " + e);
            }
        }
        return paths;
    }

    private Path prepare(Pod pod, Volume v, PodStatus status) throws VolumeException, IOException {
        String uid = pod.getMetadata().getUid();
        String ns = pod.getMetadata().getNamespace();
        if (v.getHostPath() != null) {
            return hostPath(v.getHostPath());
        }
        String claimName = ClaimVolumes.claimName(pod, v);
        if (claimName != null) {
            return ClaimVolumes.hostPathOf(objects, pod, v, claimName);
        }
        if (v.getEmptyDir() != null) {
            Path dir = pluginDir(uid, "empty-dir", v.getName());
            Files.createDirectories(dir);
            if ("Memory".equals(v.getEmptyDir().getMedium()) && !mounter.isMountPoint(dir)) {
                Long size = v.getEmptyDir().getSizeLimit() == null ? null
                        : Quantities.value(v.getEmptyDir().getSizeLimit()).longValue();
                mounter.mountTmpfs(dir, size);
            } else {
                Files.setPosixFilePermissions(dir, AtomicWriter.permissions(0777));
            }
            return dir;
        }
        if (v.getConfigMap() != null) {
            var src = v.getConfigMap();
            Map<String, FileProjection> payload = new TreeMap<>();
            configMapFiles(ns, src.getName(), src.getItems(), src.getOptional(), mode(src.getDefaultMode()), payload);
            return writeAtomically(pluginDir(uid, "configmap", v.getName()), payload);
        }
        if (v.getSecret() != null) {
            var src = v.getSecret();
            Map<String, FileProjection> payload = new TreeMap<>();
            secretFiles(ns, src.getSecretName(), src.getItems(), src.getOptional(), mode(src.getDefaultMode()), payload);
            return writeAtomically(inMemory(pluginDir(uid, "secret", v.getName())), payload);
        }
        if (v.getDownwardAPI() != null) {
            Map<String, FileProjection> payload = new TreeMap<>();
            downwardFiles(pod, v.getDownwardAPI().getItems(), mode(v.getDownwardAPI().getDefaultMode()), status, payload);
            return writeAtomically(pluginDir(uid, "downward-api", v.getName()), payload);
        }
        if (v.getProjected() != null) {
            int defaultMode = mode(v.getProjected().getDefaultMode());
            Map<String, FileProjection> payload = new TreeMap<>();
            for (VolumeProjection p : v.getProjected().getSources()) {
                if (p.getConfigMap() != null) {
                    configMapFiles(ns, p.getConfigMap().getName(), p.getConfigMap().getItems(),
                            p.getConfigMap().getOptional(), defaultMode, payload);
                } else if (p.getSecret() != null) {
                    secretFiles(ns, p.getSecret().getName(), p.getSecret().getItems(), p.getSecret().getOptional(),
                            defaultMode, payload);
                } else if (p.getDownwardAPI() != null) {
                    downwardFiles(pod, p.getDownwardAPI().getItems(), defaultMode, status, payload);
                } else if (p.getServiceAccountToken() != null) {
                    payload.put(p.getServiceAccountToken().getPath(), new FileProjection(
                            serviceAccountToken(pod, p.getServiceAccountToken()), defaultMode));
                } else {
                    LOG.warn("pod {}/{} volume {}: projected source {} is not supported; left out", ns,
                            pod.getMetadata().getName(), v.getName(), p);
                }
            }
            return writeAtomically(inMemory(pluginDir(uid, "projected", v.getName())), payload);
        }
        throw new VolumeException("unsupported volume type");
    }

    /**
     * Secret and projected volumes live on a tmpfs, as upstream's (credentials never reach the disk); where the
     * kubelet may not mount, they fall back to a plain directory.
     */
    private Path inMemory(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (!mounter.isMountPoint(dir)) {
            try {
                mounter.mountTmpfs(dir, null);
            } catch (IOException e) {
                LOG.warn("volume {} stays on disk: tmpfs mount failed: {}", dir, e.getMessage());
            }
        }
        return dir;
    }

    /** The bound token of a serviceAccountToken projection (requested again at 80% of its lifetime). */
    private byte[] serviceAccountToken(Pod pod, io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection p)
            throws VolumeException {
        if (tokens == null) {
            throw new VolumeException("serviceAccountToken projections are not supported by this kubelet");
        }
        try {
            return tokens.token(pod, p).getBytes(StandardCharsets.US_ASCII);
        } catch (dev.navis.client.ApiException e) {
            throw new VolumeException("failed to fetch token: " + e.getMessage());
        }
    }

    private Path pluginDir(String uid, String plugin, String name) {
        return podsDir.resolve(uid).resolve("volumes").resolve("kubernetes.io~" + plugin).resolve(name);
    }

    private static int mode(Integer mode) {
        return mode == null ? DEFAULT_MODE : mode;
    }

    private static Path writeAtomically(Path dir, Map<String, FileProjection> payload) throws IOException {
        new AtomicWriter(dir).write(payload);
        return dir;
    }

    /** Upstream's hostPath type checks; DirectoryOrCreate and FileOrCreate create what is missing. */
    static Path hostPath(HostPathVolumeSource src) throws VolumeException, IOException {
        Path path = Path.of(src.getPath());
        String type = src.getType() == null ? "" : src.getType();
        switch (type) {
            case "" -> {
            }
            case "DirectoryOrCreate" -> {
                if (!Files.exists(path)) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, AtomicWriter.permissions(0755));
                } else if (!Files.isDirectory(path)) {
                    throw new VolumeException("hostPath type check failed: " + path + " is not a directory");
                }
            }
            case "Directory" -> {
                if (!Files.isDirectory(path)) {
                    throw new VolumeException("hostPath type check failed: " + path + " is not a directory");
                }
            }
            case "FileOrCreate" -> {
                if (!Files.exists(path)) {
                    Files.createDirectories(path.getParent());
                    Files.createFile(path);
                    Files.setPosixFilePermissions(path, AtomicWriter.permissions(0644));
                } else if (!Files.isRegularFile(path)) {
                    throw new VolumeException("hostPath type check failed: " + path + " is not a file");
                }
            }
            case "File" -> {
                if (!Files.isRegularFile(path)) {
                    throw new VolumeException("hostPath type check failed: " + path + " is not a file");
                }
            }
            case "Socket", "CharDevice", "BlockDevice" -> {
                if (!Files.exists(path) || Files.isDirectory(path) || Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw new VolumeException("hostPath type check failed: " + path + " is not a " + type);
                }
            }
            default -> throw new VolumeException("invalid HostPathType " + type);
        }
        return path;
    }

    private void configMapFiles(String ns, String name, List<KeyToPath> items, Boolean optional, int defaultMode,
                                Map<String, FileProjection> payload) throws VolumeException {
        ConfigMap cm = objects.configMap(ns, name);
        if (cm == null) {
            if (Boolean.TRUE.equals(optional)) {
                return;
            }
            throw new VolumeException("configmap \"" + name + "\" not found");
        }
        Map<String, byte[]> data = new TreeMap<>();
        if (cm.getData() != null) {
            cm.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        if (cm.getBinaryData() != null) {
            cm.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        project(data, items, optional, defaultMode, "configmap", payload);
    }

    private void secretFiles(String ns, String name, List<KeyToPath> items, Boolean optional, int defaultMode,
                             Map<String, FileProjection> payload) throws VolumeException {
        Secret secret = objects.secret(ns, name);
        if (secret == null) {
            if (Boolean.TRUE.equals(optional)) {
                return;
            }
            throw new VolumeException("secret \"" + name + "\" not found");
        }
        Map<String, byte[]> data = new TreeMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        project(data, items, optional, defaultMode, "secret", payload);
    }

    private static void project(Map<String, byte[]> data, List<KeyToPath> items, Boolean optional, int defaultMode,
                                String kind, Map<String, FileProjection> payload) throws VolumeException {
        if (items == null || items.isEmpty()) {
            data.forEach((k, v) -> payload.put(k, new FileProjection(v, defaultMode)));
            return;
        }
        for (KeyToPath item : items) {
            byte[] value = data.get(item.getKey());
            if (value == null) {
                if (Boolean.TRUE.equals(optional)) {
                    continue;
                }
                throw new VolumeException(kind + " references non-existent config key: " + item.getKey());
            }
            payload.put(item.getPath(), new FileProjection(value, item.getMode() == null ? defaultMode : item.getMode()));
        }
    }

    private void downwardFiles(Pod pod, List<DownwardAPIVolumeFile> items, int defaultMode, PodStatus status,
                               Map<String, FileProjection> payload) throws VolumeException {
        if (items == null) {
            return;
        }
        for (DownwardAPIVolumeFile item : items) {
            String value;
            try {
                value = item.getFieldRef() != null ? FieldRefs.field(pod, item.getFieldRef().getFieldPath(), status)
                        : FieldRefs.resource(pod, null, item.getResourceFieldRef(), nodeAllocatable.get());
            } catch (IllegalArgumentException e) {
                throw new VolumeException(e.getMessage());
            }
            payload.put(item.getPath(), new FileProjection(value.getBytes(StandardCharsets.UTF_8),
                    item.getMode() == null ? defaultMode : item.getMode()));
        }
    }

    /** Unmounts what the kubelet mounted for the pod and deletes its directory. */
    public void cleanup(String uid) throws IOException {
        if (tokens != null) {
            tokens.forgetPod(uid);
        }
        Path dir = podsDir.resolve(uid);
        for (String plugin : List.of("empty-dir", "secret", "projected")) {
            Path volumes = dir.resolve("volumes").resolve("kubernetes.io~" + plugin);
            if (Files.isDirectory(volumes)) {
                try (var list = Files.list(volumes)) {
                    for (Path p : list.toList()) {
                        if (mounter.isMountPoint(p)) {
                            mounter.unmount(p);
                        }
                    }
                }
            }
        }
        AtomicWriter.deleteTree(dir);
    }

    /** UIDs that have a directory under pods/ (for orphan cleanup). */
    public Set<String> podDirs() throws IOException {
        if (!Files.isDirectory(podsDir)) {
            return Set.of();
        }
        try (var list = Files.list(podsDir)) {
            return list.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }
}
